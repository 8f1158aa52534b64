package dev.kubegate.upstream.credentials;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RefreshingTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** Answers with the queued results in order: a value, or an exception to throw. */
    static final class Scripted implements Refreshing.Source<String> {
        final Deque<Object> results = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();

        Scripted then(Object result) {
            results.add(result);
            return this;
        }

        @SuppressWarnings("unchecked")
        @Override
        public Refreshing.Value<String> fetch() throws Exception {
            calls.incrementAndGet();
            Object r = results.isEmpty() ? new IllegalStateException("no more results") : results.poll();
            if (r instanceof Exception e) {
                throw e;
            }
            return (Refreshing.Value<String>) r;
        }
    }

    @Test
    void firstValueIsFetchedSynchronouslyAndRefreshedAtTwoThirdsOfItsLifetime() {
        ManualScheduler s = new ManualScheduler(T0);
        Scripted src = new Scripted()
                .then(new Refreshing.Value<>("a", T0.plus(Duration.ofMinutes(15)), null))
                .then(new Refreshing.Value<>("b", T0.plus(Duration.ofMinutes(25)), null));
        Refreshing<String> r = Refreshing.start("test", src, s, s.clock);

        assertThat(r.current()).isEqualTo("a");
        assertThat(r.ready()).isTrue();
        assertThat(s.lastDelay()).isEqualTo(Duration.ofMinutes(10));

        s.runNext();
        assertThat(r.current()).isEqualTo("b");
        assertThat(s.lastDelay()).isEqualTo(Duration.ofMinutes(10)); // 2/3 of the 15 minutes left at t=10m
    }

    @Test
    void explicitRefreshPeriodWinsAndValuesWithoutExpiryOrPeriodAreNotRefreshed() {
        ManualScheduler s = new ManualScheduler(T0);
        Refreshing.start("periodic", new Scripted().then(new Refreshing.Value<>("a", null, Duration.ofMinutes(1))), s, s.clock);
        assertThat(s.lastDelay()).isEqualTo(Duration.ofMinutes(1));

        ManualScheduler s2 = new ManualScheduler(T0);
        Refreshing<String> forever = Refreshing.start("forever", new Scripted().then(Refreshing.Value.forever("x")), s2, s2.clock);
        assertThat(s2.pending).isEmpty();
        assertThat(forever.ready()).isTrue();
    }

    @Test
    void failedRefreshKeepsTheCachedValueBacksOffAndTurnsUnreadyOnlyAfterExpiry() {
        ManualScheduler s = new ManualScheduler(T0);
        Scripted src = new Scripted().then(new Refreshing.Value<>("a", T0.plusSeconds(30), null));
        for (int i = 0; i < 10; i++) {
            src.then(new RuntimeException("sts unreachable"));
        }
        src.then(new Refreshing.Value<>("b", T0.plus(Duration.ofHours(1)), null));
        Refreshing<String> r = Refreshing.start("test", src, s, s.clock);
        assertThat(s.lastDelay()).isEqualTo(Duration.ofSeconds(20));

        s.runNext(); // t=20s: fails
        assertThat(r.current()).isEqualTo("a");
        assertThat(r.ready()).isTrue();
        assertThat(r.lastFailure()).hasMessage("sts unreachable");
        assertThat(s.lastDelay()).isEqualTo(Duration.ofSeconds(1));
        s.runNext(); // 21s
        assertThat(s.lastDelay()).isEqualTo(Duration.ofSeconds(2));
        s.runNext(); // 23s
        assertThat(s.lastDelay()).isEqualTo(Duration.ofSeconds(4));
        s.runNext(); // 27s
        assertThat(r.ready()).isTrue();
        s.runNext(); // 35s: expired, still failing
        assertThat(r.ready()).isFalse();
        assertThat(r.current()).isEqualTo("a"); // kept: the gateway decides from ready()
        for (int i = 0; i < 5; i++) {
            s.runNext();
        }
        assertThat(s.lastDelay()).isEqualTo(Refreshing.MAX_BACKOFF); // capped
        s.runNext(); // success
        assertThat(r.current()).isEqualTo("b");
        assertThat(r.ready()).isTrue();
        assertThat(r.lastFailure()).isNull();
    }

    @Test
    void firstFailureFailsStartWithTheReason() {
        ManualScheduler s = new ManualScheduler(T0);
        assertThatThrownBy(() -> Refreshing.start("exec plugin aws",
                new Scripted().then(new java.io.IOException("No such file")), s, s.clock))
                .isInstanceOf(UpstreamCredentialsException.class)
                .hasMessage("exec plugin aws: No such file");
    }

    @Test
    void anAlreadyExpiredValueCountsAsAFailure() {
        ManualScheduler s = new ManualScheduler(T0);
        assertThatThrownBy(() -> Refreshing.start("plugin",
                new Scripted().then(new Refreshing.Value<>("old", T0.minusSeconds(1), null)), s, s.clock))
                .hasMessageContaining("plugin returned a credential that expired at 2029-12-31T23:59:59Z");
    }

    @Test
    void closeCancelsTheNextRefresh() {
        ManualScheduler s = new ManualScheduler(T0);
        Scripted src = new Scripted().then(new Refreshing.Value<>("a", null, Duration.ofMinutes(1)));
        Refreshing<String> r = Refreshing.start("test", src, s, s.clock);
        r.close();
        assertThat(s.pending.get(0).future().isCancelled()).isTrue();
        s.runNext();
        assertThat(src.calls).hasValue(1);
    }

    @Test
    void realDaemonSchedulerRefreshesInTheBackground() throws Exception {
        CountDownLatch twice = new CountDownLatch(2);
        AtomicInteger n = new AtomicInteger();
        try (Scheduler s = Scheduler.daemon("test-refresher")) {
            Refreshing<Integer> r = Refreshing.start("test", () -> {
                twice.countDown();
                return new Refreshing.Value<>(n.incrementAndGet(), null, Duration.ofMillis(10));
            }, s, java.time.Clock.systemUTC());
            assertThat(twice.await(5, TimeUnit.SECONDS)).isTrue(); // MIN_DELAY (1 s) floors the 10 ms
            assertThat(r.current()).isGreaterThanOrEqualTo(1);
            r.close();
        }
    }
}
