package dev.kubegate.audit;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An incremental RFC 6455 frame decoder for one direction of a spliced WebSocket connection: feed it
 * the raw bytes as they pass, it hands out each complete data message (continuation frames joined,
 * client masking removed; control frames skipped). For recording only: when the stream is not
 * WebSocket or a message exceeds {@link #MAX_MESSAGE}, it stops decoding ({@link #broken()}) and
 * never throws. Pure, not thread-safe (one direction, one thread).
 */
public final class WebSocketFrames {

    public static final int MAX_MESSAGE = 4 << 20;

    private final Consumer<byte[]> onMessage;
    private byte[] pending = new byte[0];
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean broken;
    private boolean inMessage;
    /** Stream offset of {@code pending[0]} during a feed. */
    private long base;
    private long fed;
    private long frameEnd;
    private long messageStart;
    private long partialPayload = -1;

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
    public long frameEnd() {
        return frameEnd;
    }

    /**
     * Stream offset of the first frame of the message being decoded (inside the message callback:
     * of the message just decoded) — where the stream can be cut before that message.
     */
    public long messageStart() {
        return messageStart;
    }

    /**
     * The payload length a frame announces whose bytes have not all arrived yet (its header has),
     * or -1: lets a caller act on a large message before its bytes go on.
     */
    public long partialPayload() {
        return partialPayload;
    }

    /** Whether every byte fed so far belongs to a complete message: nothing partial is pending. */
    public boolean atMessageBoundary() {
        return !broken && pending.length == 0 && !inMessage;
    }

    public void feed(byte[] b, int off, int len) {
        if (broken || len == 0) {
            fed += len;
            return;
        }
        base = fed - pending.length;
        fed += len;
        partialPayload = -1;
        byte[] buf = new byte[pending.length + len];
        System.arraycopy(pending, 0, buf, 0, pending.length);
        System.arraycopy(b, off, buf, pending.length, len);
        int at = 0;
        while (true) {
            int used = frame(buf, at);
            if (used <= 0) {
                break;
            }
            at += used;
        }
        pending = broken ? new byte[0] : Arrays.copyOfRange(buf, at, buf.length);
    }

    /** Decodes one frame at {@code at}; returns its length, or 0 when it is not complete yet. */
    private int frame(byte[] b, int at) {
        int avail = b.length - at;
        if (avail < 2) {
            return 0;
        }
        int b0 = b[at] & 0xff;
        int b1 = b[at + 1] & 0xff;
        if ((b0 & 0x70) != 0) {
            broken = true; // reserved bits: not WebSocket (or an extension we do not record)
            return 0;
        }
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0f;
        boolean valid = switch (opcode) {
            case 0 -> inMessage;                 // a continuation needs a message in progress
            case 1, 2 -> !inMessage;
            case 8, 9, 10 -> fin && (b1 & 0x7f) <= 125;
            default -> false;
        };
        if (!valid) {
            broken = true; // not a WebSocket stream (SPDY, say), or one we cannot follow
            return 0;
        }
        if (opcode == 1 || opcode == 2) {
            messageStart = base + at;
        }
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7f;
        int head = 2;
        if (len == 126) {
            if (avail < 4) return 0;
            len = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
            head = 4;
        } else if (len == 127) {
            if (avail < 10) return 0;
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | (b[at + 2 + i] & 0xff);
            head = 10;
        }
        if (len > MAX_MESSAGE) {
            broken = true;
            return 0;
        }
        int maskAt = at + head;
        if (masked) head += 4;
        if (avail < head + len) {
            partialPayload = len;
            return 0;
        }
        byte[] payload = Arrays.copyOfRange(b, at + head, at + head + (int) len);
        if (masked) {
            for (int i = 0; i < payload.length; i++) payload[i] ^= b[maskAt + (i & 3)];
        }
        frameEnd = base + at + head + len;
        if (opcode >= 8) {
            return head + (int) len; // close, ping, pong
        }
        if (message.size() + payload.length > MAX_MESSAGE) {
            broken = true;
            return 0;
        }
        message.write(payload, 0, payload.length);
        inMessage = !fin;
        if (fin) {
            onMessage.accept(message.toByteArray());
            message.reset();
        }
        return head + (int) len;
    }
}
