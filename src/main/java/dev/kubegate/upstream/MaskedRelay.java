package dev.kubegate.upstream;

import dev.kubegate.masking.StreamMasker;
import dev.kubegate.masking.WebSocketChannelMasker;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * The server→client direction of a masked tunnel (exec/attach over WebSocket): bytes go through the
 * masker, output is written at once, the upstream socket is paused while the client's queue is full.
 * When the masker fails, both sockets are closed: nothing more reaches the client.
 *
 * <p>A WebSocket masker holds a partial line until its newline; an interactive shell's prompt has
 * none, so after {@link #IDLE_FLUSH_MS} without upstream data the partial lines are flushed (masked).
 *
 * <p>Masking runs in a {@link MaskingLane}: large chunks, the idle flush and the end on a worker
 * thread, in order, so hostile output cannot hold the event loop.
 */
final class MaskedRelay {

    /** Quiet time after which held partial lines are sent (a prompt must show). */
    static final long IDLE_FLUSH_MS = 200;

    private final Vertx vertx;
    private final NetSocket from;
    private final NetSocket to;
    private final StreamMasker masker;
    private final LongConsumer counter;
    private final Runnable closed;
    private final UpgradeTunnel.Tapped tap;
    private final MaskingLane lane;
    private long timer = -1;
    private boolean failed;

    /**
     * {@code tap}, when not null, sees the raw (unmasked) bytes as read, e.g. for an exec recording that
     * masks on its own, and decides how much of each chunk goes on.
     */
    // Both sockets and what ties them to their tunnel (its byte count, its close, its tap): one relay per tunnel.
    MaskedRelay(Vertx vertx, NetSocket from, NetSocket to, StreamMasker masker, LongConsumer counter, Runnable closed,
                UpgradeTunnel.Tapped tap) {
        this.tap = tap;
        this.vertx = vertx;
        this.from = from;
        this.to = to;
        this.masker = masker;
        this.counter = counter;
        this.closed = closed;
        this.lane = new MaskingLane(vertx.getOrCreateContext(), from, to, true);
    }

    void start(List<Buffer> early) {
        for (Buffer b : early) {
            chunk(b);
        }
        from.handler(this::chunk);
        from.endHandler(v -> {
            cancelTimer();
            lane.afterPending(() -> {
                if (failed) {
                    to.end();
                    return;
                }
                lane.run(masker::finish, MaskingLane.UNKNOWN, last -> {
                    lane.close();
                    if (failed) {
                        return;
                    }
                    if (last.failed()) {
                        fail();
                        return;
                    }
                    write(last.result());
                    to.end();
                });
            });
        });
        from.closeHandler(v -> {
            cancelTimer();
            to.close();
            closed.run();
        });
        from.exceptionHandler(e -> from.close());
        from.resume();
    }

    private void chunk(Buffer buf) {
        if (failed) {
            return;
        }
        Buffer pass = tap == null ? buf : tap.pass(buf);
        byte[] in = pass.getBytes();
        lane.run(() -> masker.feed(in, 0, in.length), in.length, masked -> {
            if (failed) {
                return;
            }
            if (masked.failed()) {
                fail();
                return;
            }
            write(masked.result());
            if (tap != null) {
                tap.after();
                if (failed) {
                    return; // the tap ended the session
                }
            }
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
            if (masker instanceof WebSocketChannelMasker ws) {
                cancelTimer();
                timer = vertx.setTimer(IDLE_FLUSH_MS, id -> {
                    timer = -1;
                    lane.afterPending(() -> flushIdle(ws));
                });
            }
        });
    }

    /** The stream went quiet: send the held partial lines (masked), on a worker like any masking. */
    private void flushIdle(WebSocketChannelMasker ws) {
        if (failed) {
            return;
        }
        lane.run(ws::flushPartialLines, MaskingLane.UNKNOWN, flushed -> {
            if (failed) {
                return;
            }
            if (flushed.failed()) {
                fail();
            } else {
                write(flushed.result());
            }
        });
    }

    private void write(byte[] out) {
        if (out.length > 0) {
            counter.accept(out.length);
            to.write(Buffer.buffer(out));
        }
    }

    /** Sends the partial lines the masker holds (masked) now: the session is ending. */
    void flushHeld() {
        cancelTimer();
        if (!failed && masker instanceof WebSocketChannelMasker ws) {
            try {
                write(ws.flushPartialLines());
            } catch (RuntimeException e) {
                fail();
            }
        }
        failed = true; // nothing more goes through the masker
    }

    /** The stream cannot be masked: stop both sides, send nothing more. */
    private void fail() {
        failed = true;
        lane.close();
        cancelTimer();
        from.handler(null);
        to.close();
        from.close();
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
