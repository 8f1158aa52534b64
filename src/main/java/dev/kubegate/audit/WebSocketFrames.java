package dev.kubegate.audit;

import dev.kubegate.masking.MaskingException;
import dev.kubegate.masking.WebSocketFrameReader;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Whole data messages of one direction of a spliced WebSocket connection, for exec recordings: feed
 * it the raw bytes as they pass, it hands out each complete message (continuation frames joined,
 * client masking removed, control frames skipped). Frames are read by the shared
 * {@link WebSocketFrameReader}. For recording only: when the stream is not WebSocket (SPDY, say) or
 * a message exceeds {@link #MAX_MESSAGE}, it stops decoding ({@link #broken()}) and never throws.
 * Pure, not thread-safe (one direction, one thread).
 */
public final class WebSocketFrames implements WebSocketFrameReader.Frames {

    public static final int MAX_MESSAGE = 4 << 20;

    private final Consumer<byte[]> onMessage;
    private final WebSocketFrameReader reader = new WebSocketFrameReader(this);
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean broken;
    private boolean data;
    private boolean fin;

    public WebSocketFrames(Consumer<byte[]> onMessage) {
        this.onMessage = onMessage;
    }

    public boolean broken() {
        return broken;
    }

    public void feed(byte[] b, int off, int len) {
        if (broken || len == 0) {
            return;
        }
        try {
            reader.feed(b, off, len);
        } catch (MaskingException | TooLarge notFollowable) {
            broken = true;
            message.reset();
        }
    }

    @Override
    public void frameStart(boolean fin, int opcode, long length) {
        data = opcode < WebSocketFrameReader.OP_CLOSE;
        this.fin = fin;
        if (data && message.size() + length > MAX_MESSAGE) {
            throw new TooLarge();
        }
    }

    @Override
    public void payload(byte[] b, int off, int n) {
        if (data) {
            message.write(b, off, n);
        }
    }

    @Override
    public void frameEnd() {
        if (data && fin) {
            onMessage.accept(message.toByteArray());
            message.reset();
        }
    }

    /** A message over {@link #MAX_MESSAGE}: recording stops. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }
}
