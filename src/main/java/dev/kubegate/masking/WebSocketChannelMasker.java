package dev.kubegate.masking;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Masks the server→client direction of an exec/attach WebSocket speaking the Kubernetes channel
 * protocol ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}, {@code channel.k8s.io}: binary
 * messages whose first byte is the channel; {@code base64.channel.k8s.io},
 * {@code v4.base64.channel.k8s.io}: text messages whose first char is the channel digit, the rest
 * base64). stdout (1) and stderr (2) go through a {@link LineMasker} each, so a secret split across
 * messages or frames is still found; every other channel (error Status, v5 close signals) passes
 * unchanged.
 *
 * <p>Frames are parsed (RFC 6455 §5.2) and re-written: what comes out is a sequence of complete,
 * unfragmented, unmasked messages, one per masked output piece. Control frames (ping, pong, close)
 * pass as they are, also between the fragments of a message; the line buffers are flushed before a
 * close frame and before a v5 close signal of their channel. Frames with RSV bits set (a negotiated
 * compression extension) cannot be read and fail the stream ({@link MaskingException}).
 *
 * <p>Memory: a frame header, a control frame payload (≤ 125 bytes), up to {@link #MAX_PASS} bytes of
 * a passed-through message, and one {@link LineMasker} line buffer per masked channel.
 */
public final class WebSocketChannelMasker implements StreamMasker {

    /** Bytes of an unmasked channel's message held to keep the message whole. */
    public static final int MAX_PASS = 64 << 10;

    private static final int STDOUT = 1, STDERR = 2, CLOSE_SIGNAL = 255;
    private static final int OP_CONT = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8;

    private final boolean base64;
    private final LineMasker[] lines = new LineMasker[3];
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);

    // frame header being read
    private final byte[] head = new byte[14];
    private int headLen;
    // current frame
    private boolean inPayload;
    private boolean fin;
    private int opcode;
    private boolean maskedFrame;
    private final byte[] maskKey = new byte[4];
    private long remaining;
    private long payloadPos;
    // control frame payload
    private final byte[] control = new byte[125];
    private int controlLen;
    // current data message
    private boolean inMessage;
    private int messageOpcode;
    private int channel = -1;        // -1 until the first payload byte of the message
    private boolean messageHadData;
    private final ByteArrayOutputStream pass = new ByteArrayOutputStream(256);
    private final byte[] b64Carry = new byte[4];
    private int b64CarryLen;
    private boolean closed;
    private byte[] scratch = new byte[8192];

    public WebSocketChannelMasker(boolean base64, MaskRules rules) {
        this.base64 = base64;
        lines[STDOUT] = LineMasker.of(rules);
        lines[STDERR] = LineMasker.of(rules);
    }

    /**
     * The masker for a negotiated subprotocol, or empty when kubegate cannot read that protocol
     * (the caller must then refuse: fail closed).
     */
    public static Optional<WebSocketChannelMasker> forProtocol(String subprotocol, MaskRules rules) {
        if (subprotocol == null) {
            return Optional.empty();
        }
        return switch (subprotocol.strip().toLowerCase(Locale.ROOT)) {
            case "v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io" -> Optional.of(new WebSocketChannelMasker(false, rules));
            case "v4.base64.channel.k8s.io", "base64.channel.k8s.io" -> Optional.of(new WebSocketChannelMasker(true, rules));
            default -> Optional.empty();
        };
    }

    @Override
    public long maskedCount() {
        return lines[STDOUT].maskedCount() + lines[STDERR].maskedCount();
    }

    @Override
    public boolean atBoundary() {
        return !inPayload && headLen == 0 && !inMessage;
    }

    @Override
    public byte[] feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (closed) { // nothing may follow a close frame
                throw new MaskingException("WebSocket data after the close frame");
            }
            if (!inPayload) {
                head[headLen++] = b[i++];
                if (headerComplete()) {
                    startFrame();
                }
                continue;
            }
            int n = (int) Math.min(remaining, end - i);
            payload(b, i, n);
            i += n;
            if (remaining == 0) {
                endFrame();
            }
        }
        return take();
    }

    @Override
    public byte[] finish() {
        if (!closed) {
            flushLines(true);
        }
        return take();
    }

    /**
     * Emits the partial lines held for stdout and stderr (masked) without waiting for their newline:
     * an interactive shell's prompt must show. A secret split exactly at this moment is masked only
     * where each part matches on its own; a known value being printed slowly stays held (see
     * {@link KnownValueFilter#flushIdle()}).
     */
    public byte[] flushPartialLines() {
        if (!closed) {
            flushLines(false);
        }
        return take();
    }

    // ---- frame parsing ----

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
        fin = (b0 & 0x80) != 0;
        if ((b0 & 0x70) != 0) {
            throw new MaskingException("a WebSocket frame uses an extension (RSV bits set); kubegate cannot read it");
        }
        opcode = b0 & 0x0f;
        maskedFrame = (head[1] & 0x80) != 0;
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
        if (maskedFrame) {
            System.arraycopy(head, at, maskKey, 0, 4);
        }
        headLen = 0;
        remaining = length;
        payloadPos = 0;
        controlLen = 0;
        if (opcode >= 8) {
            if (!fin || length > 125) {
                throw new MaskingException("invalid WebSocket control frame");
            }
        } else if (opcode == OP_CONT) {
            if (!inMessage) {
                throw new MaskingException("a WebSocket continuation frame without a message");
            }
        } else if (opcode == OP_TEXT || opcode == OP_BINARY) {
            if (inMessage) {
                throw new MaskingException("a WebSocket message began inside another");
            }
            inMessage = true;
            messageOpcode = opcode;
            channel = -1;
            messageHadData = false;
            pass.reset();
            b64CarryLen = 0;
        } else {
            throw new MaskingException("unknown WebSocket opcode " + opcode);
        }
        inPayload = true;
        if (remaining == 0) {
            endFrame();
        }
    }

    private void payload(byte[] b, int off, int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        System.arraycopy(b, off, scratch, 0, n);
        if (maskedFrame) { // servers must not mask; unmask anyway and send unmasked
            for (int k = 0; k < n; k++) {
                scratch[k] ^= maskKey[(int) ((payloadPos + k) & 3)];
            }
        }
        payloadPos += n;
        remaining -= n;
        if (opcode >= 8) {
            System.arraycopy(scratch, 0, control, controlLen, n);
            controlLen += n;
            return;
        }
        int k = 0;
        if (channel < 0 && n > 0) {
            int c = scratch[0] & 0xff;
            if (base64) {
                if (c < '0' || c > '9') {
                    throw new MaskingException("a base64 channel message without a channel digit");
                }
                c -= '0';
            }
            channel = c;
            k = 1;
        }
        if (k < n) {
            messageHadData = true;
            if (base64) {
                decodeBase64(scratch, k, n - k);
            } else {
                data(scratch, k, n - k);
            }
        }
    }

    private void decodeBase64(byte[] b, int off, int n) {
        int end = off + n;
        int i = off;
        while (b64CarryLen > 0 && b64CarryLen < 4 && i < end) {
            b64Carry[b64CarryLen++] = b[i++];
        }
        if (b64CarryLen == 4) {
            data(decode(b64Carry, 0, 4));
            b64CarryLen = 0;
        }
        int whole = (end - i) / 4 * 4;
        if (whole > 0) {
            data(decode(b, i, whole));
            i += whole;
        }
        while (i < end) {
            b64Carry[b64CarryLen++] = b[i++];
        }
    }

    private static byte[] decode(byte[] b, int off, int n) {
        try {
            return Base64.getDecoder().decode(java.util.Arrays.copyOfRange(b, off, off + n));
        } catch (IllegalArgumentException e) {
            throw new MaskingException("invalid base64 in a channel message: " + e.getMessage());
        }
    }

    private void data(byte[] b) {
        data(b, 0, b.length);
    }

    private void data(byte[] b, int off, int n) {
        if (channel == STDOUT || channel == STDERR) {
            emit(channel, lines[channel].feed(b, off, n));
            return;
        }
        pass.write(b, off, n);
        if (pass.size() >= MAX_PASS) {
            emitPass();
        }
    }

    private void endFrame() {
        inPayload = false;
        if (opcode >= 8) {
            if (opcode == OP_CLOSE) {
                flushLines(true);
                closed = true;
            }
            writeFrame(opcode, control, 0, controlLen);
            return;
        }
        if (!fin) {
            return;
        }
        inMessage = false;
        if (b64CarryLen != 0) {
            throw new MaskingException("a base64 channel message of invalid length");
        }
        if (channel < 0) { // an empty message
            writeFrame(messageOpcode, new byte[0], 0, 0);
            return;
        }
        if (channel == STDOUT || channel == STDERR) {
            if (!messageHadData) { // a bare channel byte: pass it on
                emitRaw(channel, new byte[0], 0, 0);
            }
            return;
        }
        if (channel == CLOSE_SIGNAL && !base64 && pass.size() > 0) {
            int closing = pass.toByteArray()[0] & 0xff;
            if (closing == STDOUT || closing == STDERR) {
                emit(closing, lines[closing].finish());
            }
        }
        emitPass();
    }

    private void emitPass() {
        byte[] p = pass.toByteArray();
        pass.reset();
        emitRaw(channel, p, 0, p.length);
    }

    /** {@code end}: the channels end, so a held start of a known value is masked rather than kept. */
    private void flushLines(boolean end) {
        emit(STDOUT, end ? lines[STDOUT].finish() : lines[STDOUT].flush());
        emit(STDERR, end ? lines[STDERR].finish() : lines[STDERR].flush());
    }

    // ---- output ----

    private void emit(int ch, byte[] data) {
        if (data.length > 0) {
            emitRaw(ch, data, 0, data.length);
        }
    }

    /** One complete message on channel {@code ch}. */
    private void emitRaw(int ch, byte[] data, int off, int n) {
        if (base64) {
            byte[] enc = Base64.getEncoder().encode(java.util.Arrays.copyOfRange(data, off, off + n));
            byte[] msg = new byte[enc.length + 1];
            msg[0] = (byte) ('0' + ch);
            System.arraycopy(enc, 0, msg, 1, enc.length);
            writeFrame(OP_TEXT, msg, 0, msg.length);
        } else {
            byte[] msg = new byte[n + 1];
            msg[0] = (byte) ch;
            System.arraycopy(data, off, msg, 1, n);
            writeFrame(OP_BINARY, msg, 0, msg.length);
        }
    }

    private void writeFrame(int op, byte[] payload, int off, int n) {
        out.write(0x80 | op);
        if (n < 126) {
            out.write(n);
        } else if (n < 65536) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n & 0xff);
        } else {
            out.write(127);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) (((long) n >>> s) & 0xff));
            }
        }
        out.write(payload, off, n);
    }

    private byte[] take() {
        byte[] r = out.toByteArray();
        out.reset();
        return r;
    }
}
