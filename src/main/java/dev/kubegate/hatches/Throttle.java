package dev.kubegate.hatches;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

/** Runs at most {@code limit} asynchronous calls at a time, the rest in order as earlier ones end. Thread-safe. */
final class Throttle {

    private final int limit;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int running;

    Throttle(int limit) {
        this.limit = limit;
    }

    <T> Future<T> submit(Supplier<Future<T>> call) {
        Promise<T> promise = Promise.promise();
        Runnable start = () -> {
            Future<T> f;
            try {
                f = call.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                next();
                promise.handle(ar);
            });
        };
        boolean now;
        synchronized (this) {
            now = running < limit;
            if (now) {
                running++;
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return promise.future();
    }

    private void next() {
        Runnable r;
        synchronized (this) {
            r = waiting.poll();
            if (r == null) {
                running--;
            }
        }
        if (r != null) {
            r.run();
        }
    }
}
