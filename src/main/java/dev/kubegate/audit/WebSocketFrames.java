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
 * It also tells where the stream can be cut without splitting a frame or a message, so a recording
 * limit can end the session cleanly. Pure, not thread-safe (one direction, one thread).
 */
public final class WebSocketFrames implements WebSocketFrameReader.Frames {

    public static final int MAX_MESSAGE = 4 << 20;

    private final Consumer<byte[]> onMessage;
    private final WebSocketFrameReader reader = new WebSocketFrameReader(this);
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean broken;
    private boolean data;
    private boolean fin;
    private long endOfLastFrame;
    private long messageStart;
    /** Payload length of the data frame being read, or -1 between frames. */
    private long frameLength = -1;

    public WebSocketFrames(Consumer<byte[]> onMessage) {
        this.onMessage = onMessage;
    }

    public boolean broken() {
        return broken;
    }

    /**
     * Stream offset just past the last complete frame decoded (inside the message callback: just
     * past the message's final frame) — where the stream can be cut without splitting a frame.
     */
    public long endOfLastFrame() {
        return endOfLastFrame;
    }

    /**
     * Stream offset of the first frame of the message being decoded (inside the message callback:
     * of the message just decoded) — where the stream can be cut before that message.
     */
    public long messageStart() {
        return messageStart;
    }

    /**
     * The payload length a data frame announces whose bytes have not all arrived yet (its header
     * has), or -1: lets a caller act on a large message before its bytes go on.
     */
    public long partialPayload() {
        return broken ? -1 : frameLength;
    }

    /** Whether every byte fed so far belongs to a complete message: nothing partial is pending. */
    public boolean atMessageBoundary() {
        return !broken && reader.atMessageBoundary();
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
        if (opcode == WebSocketFrameReader.OP_TEXT || opcode == WebSocketFrameReader.OP_BINARY) {
            messageStart = reader.frameStartPosition();
        }
        frameLength = data ? length : -1;
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
        endOfLastFrame = reader.position();
        frameLength = -1;
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
