package dev.kubegate.hatches;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottleTest {

    @Test
    void atMostLimitCallsRunAndTheRestStartInOrderAsOthersEnd() {
        Throttle throttle = new Throttle(2);
        List<Promise<Integer>> started = new ArrayList<>();
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(throttle.submit(() -> {
                Promise<Integer> p = Promise.promise();
                started.add(p);
                return p.future();
            }));
        }
        assertThat(started).hasSize(2);
        started.get(0).complete(0);
        assertThat(started).hasSize(3);
        started.get(1).fail("boom");
        started.get(2).complete(2);
        assertThat(started).hasSize(5);
        started.get(3).complete(3);
        started.get(4).complete(4);
        assertThat(results.get(0).result()).isZero();
        assertThat(results.get(1).failed()).isTrue();
        assertThat(results.get(4).result()).isEqualTo(4);
    }

    @Test
    void aCallThatThrowsFailsItsFutureAndFreesItsSlot() {
        Throttle throttle = new Throttle(1);
        Future<Object> f = throttle.submit(() -> {
            throw new IllegalStateException("no");
        });
        assertThat(f.failed()).isTrue();
        assertThat(throttle.submit(() -> Future.succeededFuture("ok")).result()).isEqualTo("ok");
    }
}
