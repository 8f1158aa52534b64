package dev.kubegate.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watches being relayed, so that a stopping replica can end each between two events
 * ({@link HttpForwarder#endWatches()}) — and every new one right after its headers.
 */
final class OpenWatches {

    private final Set<Runnable> enders = ConcurrentHashMap.newKeySet();
    private volatile boolean ending;

    /**
     * Tracks one watch until {@code done} completes; {@code end} runs on {@code context} when the
     * replica stops (at once when it is stopping already): it ends the watch at the next event boundary.
     */
    void track(Context context, Runnable end, Future<?> done) {
        Runnable ender = () -> context.runOnContext(v -> end.run());
        enders.add(ender);
        done.onComplete(x -> enders.remove(ender));
        if (ending) {
            ender.run();
        }
    }

    void endAll() {
        ending = true;
        enders.forEach(Runnable::run);
    }

    int size() {
        return enders.size();
    }
}
