package dev.kubegate.masking;

/**
 * The one RFC 6455 (§5.2) frame reader of kubegate, shared by the exec/attach masker
 * ({@link WebSocketChannelMasker}) and the exec recorder ({@code audit.WebSocketFrames}). It reads a
 * byte stream in arbitrary chunks and reports each frame as it goes — start (FIN, opcode, length),
 * payload pieces with any client masking removed, end — without holding a payload: memory is one
 * frame header and, for masked frames, one chunk.
 *
 * <p>It refuses, with {@link MaskingException}, what it cannot follow: RSV bits (a negotiated
 * extension such as compression), unknown opcodes, fragmented or over-long control frames, a
 * continuation without a message, a message begun inside another, a negative length. Pure; one
 * instance per direction of one connection, driven by one thread at a time.
 */
public final class WebSocketFrameReader {

    public static final int OP_CONTINUATION = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10;

    /** What a reader reports, in stream order. */
    public interface Frames {
        /** A frame begins. Control frames ({@code opcode >= 8}) may come between the frames of a message. */
        void frameStart(boolean fin, int opcode, long length);

        /** Unmasked payload bytes of the current frame; {@code b} is only valid during the call. */
        void payload(byte[] b, int off, int n);

        /** The current frame is complete. */
        void frameEnd();
    }

    private final Frames frames;
    private final byte[] head = new byte[14];
    private int headLen;
    private boolean inPayload;
    private boolean masked;
    private final byte[] maskKey = new byte[4];
    private long remaining;
    private long payloadPos;
    private boolean inMessage;
    private byte[] scratch = new byte[0];
    /** Stream offset of the next byte to read. */
    private long position;
    private long frameStartPosition;

    public WebSocketFrameReader(Frames frames) {
        this.frames = frames;
    }

    /** True between frames and outside a fragmented message. */
    public boolean atMessageBoundary() {
        return !inPayload && headLen == 0 && !inMessage;
    }

    /**
     * Stream offset just past what has been read: inside {@link Frames#frameStart} just past the
     * frame's header, inside {@link Frames#frameEnd} just past the frame.
     */
    public long position() {
        return position;
    }

    /** Stream offset of the first header byte of the current (or last) frame. */
    public long frameStartPosition() {
        return frameStartPosition;
    }

    public void feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (!inPayload) {
                head[headLen++] = b[i++];
                position++;
                if (headerComplete()) {
                    frameStartPosition = position - headLen;
                    startFrame();
                }
                continue;
            }
            int n = (int) Math.min(remaining, end - i);
            position += n;
            payload(b, i, n);
            i += n;
            if (remaining == 0) {
                endFrame();
            }
        }
    }

    private boolean headerComplete() {
        if (headLen < 2) {
            return false;
        }
        int len7 = head[1] & 0x7f;
        int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((head[1] & 0x80) != 0 ? 4 : 0);
        return headLen == need;
    }

    private void startFrame() {
        int b0 = head[0] & 0xff;
        boolean fin = (b0 & 0x80) != 0;
        if ((b0 & 0x70) != 0) {
            throw new MaskingException("a WebSocket frame uses an extension (RSV bits set); kubegate cannot read it");
        }
        int opcode = b0 & 0x0f;
        masked = (head[1] & 0x80) != 0;
        int len7 = head[1] & 0x7f;
        int at = 2;
        long length;
        if (len7 == 126) {
            length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            at = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int k = 2; k < 10; k++) {
                length = (length << 8) | (head[k] & 0xff);
            }
            if (length < 0) {
                throw new MaskingException("invalid WebSocket frame length");
            }
            at = 10;
        } else {
            length = len7;
        }
        if (masked) {
            System.arraycopy(head, at, maskKey, 0, 4);
        }
        if (opcode >= OP_CLOSE) {
            if (opcode > OP_PONG || !fin || length > 125) {
                throw new MaskingException(opcode > OP_PONG ? "unknown WebSocket opcode " + opcode : "invalid WebSocket control frame");
            }
        } else if (opcode == OP_CONTINUATION) {
            if (!inMessage) {
                throw new MaskingException("a WebSocket continuation frame without a message");
            }
        } else if (opcode == OP_TEXT || opcode == OP_BINARY) {
            if (inMessage) {
                throw new MaskingException("a WebSocket message began inside another");
            }
        } else {
            throw new MaskingException("unknown WebSocket opcode " + opcode);
        }
        if (opcode < OP_CLOSE) {
            inMessage = !fin;
        }
        headLen = 0;
        remaining = length;
        payloadPos = 0;
        inPayload = true;
        frames.frameStart(fin, opcode, length);
        if (remaining == 0) {
            endFrame();
        }
    }

    private void payload(byte[] b, int off, int n) {
        payloadPos += n;
        remaining -= n;
        if (!masked) {
            frames.payload(b, off, n);
            return;
        }
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, Math.min(Math.max(scratch.length * 2, 8192), 1 << 20))];
        }
        long pos = payloadPos - n;
        for (int k = 0; k < n; k++) {
            scratch[k] = (byte) (b[off + k] ^ maskKey[(int) ((pos + k) & 3)]);
        }
        frames.payload(scratch, 0, n);
    }

    private void endFrame() {
        inPayload = false;
        frames.frameEnd();
    }
}
