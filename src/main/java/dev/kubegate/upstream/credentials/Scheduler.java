package dev.kubegate.upstream.credentials;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The one-method slice of a scheduled executor that {@link Refreshing} needs, so tests can run it by hand. */
interface Scheduler extends AutoCloseable {

    Future<?> schedule(Runnable task, Duration delay);

    @Override
    void close();

    /**
     * One daemon thread: refreshes are rare (minutes apart) and may block (exec plugins, STS, file reads),
     * which is exactly why they run here and never on a caller's thread.
     */
    static Scheduler daemon(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new Scheduler() {
            @Override
            public Future<?> schedule(Runnable task, Duration delay) {
                return executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
