package dev.kubegate.upstream.credentials;

import dev.kubegate.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/** A {@link Scheduler} that runs nothing by itself, and the clock it advances: tests step time by hand. */
final class ManualScheduler implements Scheduler {

    record Task(Runnable runnable, Duration delay, CompletableFuture<Void> future) {
    }

    final MutableClock clock;
    final List<Task> pending = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();
    boolean closed;

    ManualScheduler(Instant start) {
        this.clock = new MutableClock(start);
    }

    @Override
    public synchronized Future<?> schedule(Runnable task, Duration delay) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pending.add(new Task(task, delay, f));
        delays.add(delay);
        return f;
    }

    /** Advances the clock by the next task's delay and runs it. */
    Duration runNext() {
        Task t;
        synchronized (this) {
            if (pending.isEmpty()) {
                throw new AssertionError("nothing scheduled");
            }
            t = pending.remove(0);
        }
        clock.advance(t.delay());
        if (!t.future().isCancelled()) {
            t.runnable().run();
        }
        return t.delay();
    }

    synchronized Duration lastDelay() {
        return delays.get(delays.size() - 1);
    }

    @Override
    public void close() {
        closed = true;
    }
}
