package dev.kubegate.upstream;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Callable;

/**
 * Where a text stream's masking work runs (pod logs, exec output): small pieces on the event loop,
 * large ones on a worker thread, one at a time and in order. Masking is linear but not free — a
 * hostile 64 KiB line costs a few milliseconds of DFA matching — and the event loop also serves
 * every other call and the health probes, so no such piece may run there.
 *
 * <p>While a piece is masked on a worker the source is paused, so chunks never overtake each
 * other; work that must follow it (the end of the stream, an idle flush) waits in
 * {@link #afterPending}. Results are handed over on the stream's event loop. The masker is only
 * ever used by one thread at a time: the event loop, or the one worker while the event loop waits.
 */
final class MaskingLane {

    /** Chunks at least this large are masked on a worker thread. */
    static final int OFFLOAD_BYTES = 8 << 10;

    /** The size to pass for work whose input size is unknown (the end of a stream, an idle flush). */
    static final int UNKNOWN = Integer.MAX_VALUE;

    private final Context context;
    private final ReadStream<?> source;
    private final WriteStream<?> sink;
    private final boolean offload;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private boolean busy;
    private boolean closed;

    /** {@code offload} false: everything runs inline (JSON masking, which stays on the event loop). */
    MaskingLane(Context context, ReadStream<?> source, WriteStream<?> sink, boolean offload) {
        this.context = context;
        this.source = source;
        this.sink = sink;
        this.offload = offload;
    }

    /**
     * Runs {@code work} over {@code size} bytes — inline when small, else on a worker with the
     * source paused — and hands its result to {@code then} on the event loop. The source resumes
     * afterwards unless the sink's queue is full (the caller's backpressure then resumes it on drain).
     */
    <T> void run(Callable<T> work, int size, Handler<AsyncResult<T>> then) {
        boolean small = !offload || size < OFFLOAD_BYTES;
        if (busy) { // a chunk delivered despite the pause: it waits its turn, never runs beside another
            waiting.add(() -> run(work, size, then));
            return;
        }
        if (small) {
            Future<T> done;
            try {
                done = Future.succeededFuture(work.call());
            } catch (Exception e) {
                done = Future.failedFuture(e);
            }
            then.handle(done);
            return;
        }
        busy = true;
        source.pause();
        context.executeBlocking(work, false).onComplete(result -> {
            busy = false;
            then.handle(result);
            while (!busy && !waiting.isEmpty()) {
                waiting.poll().run();
            }
            if (!busy && !closed && !sink.writeQueueFull()) {
                source.resume();
            }
        });
    }

    /** Runs {@code task} on the event loop once no piece is being masked (at once when none is). */
    void afterPending(Runnable task) {
        if (busy) {
            waiting.add(task);
        } else {
            task.run();
        }
    }

    /** The stream ended or failed: nothing is resumed any more (the sink may be gone). */
    void close() {
        closed = true;
    }

    /** True while a piece is being masked on a worker. */
    boolean busy() {
        return busy;
    }
}
