package dev.kubegate.identity;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokensTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void entriesLiveUntilTheirOwnExpiry() {
        MutableClock clock = new MutableClock();
        VerifiedTokens<String> cache = new VerifiedTokens<>(10, clock);
        AtomicInteger verifications = new AtomicInteger();
        var verify = (java.util.function.Function<String, Uni<VerifiedTokens.Verified<String>>>) t -> {
            verifications.incrementAndGet();
            return Uni.createFrom().item(new VerifiedTokens.Verified<>("id-" + t, clock.now.plus(Duration.ofMinutes(1))));
        };
        assertThat(cache.get("t", verify).await().indefinitely()).isEqualTo("id-t");
        assertThat(cache.cached("t")).isEqualTo("id-t");
        clock.now = clock.now.plusSeconds(59);
        assertThat(cache.get("t", verify).await().indefinitely()).isEqualTo("id-t");
        assertThat(verifications).hasValue(1);
        clock.now = clock.now.plusSeconds(1);
        assertThat(cache.cached("t")).isNull();
        cache.get("t", verify).await().indefinitely();
        assertThat(verifications).hasValue(2);
    }

    @Test
    void boundedAndFailuresAreNotKept() {
        MutableClock clock = new MutableClock();
        VerifiedTokens<String> cache = new VerifiedTokens<>(3, clock);
        for (int i = 0; i < 10; i++) {
            cache.get("t" + i, t -> Uni.createFrom().item(new VerifiedTokens.Verified<>(t, clock.now.plusSeconds(60)))).await().indefinitely();
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThatThrownBy(() -> cache.get("bad", t -> Uni.createFrom().failure(AuthenticationException.invalid("no")))
                .await().indefinitely()).hasMessage("no");
        assertThat(cache.cached("bad")).isNull();
        assertThatThrownBy(() -> cache.get("bad", t -> {
            throw new IllegalStateException("thrown, not failed");
        }).await().indefinitely()).hasMessage("thrown, not failed");
    }
}
