package dev.kubegate.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.util.function.Consumer;

/** The one backpressure rule of every relay: the reading side waits while the writing side's queue is full. */
final class Backpressure {

    private Backpressure() {
    }

    /** Streams {@code from} into {@code to}, pausing the source while the destination's queue is full. */
    static void pump(ReadStream<Buffer> from, WriteStream<Buffer> to, Consumer<Buffer> onChunk, Runnable onEnd) {
        from.handler(buf -> {
            onChunk.accept(buf);
            to.write(buf);
            throttle(from, to);
        });
        from.endHandler(v -> onEnd.run());
        from.resume();
    }

    /** After a write: pauses {@code from} until {@code to} has drained, when its queue is full. */
    static void throttle(ReadStream<Buffer> from, WriteStream<Buffer> to) {
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }
}
