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
 * <p>Frames are parsed (RFC 6455 §5.2, by the shared {@link WebSocketFrameReader}) and re-written:
 * what comes out is a sequence of complete, unfragmented, unmasked messages, one per masked output
 * piece. Control frames (ping, pong, close) pass as they are, also between the fragments of a message; the line buffers are flushed before a
 * close frame and before a v5 close signal of their channel. Frames with RSV bits set (a negotiated
 * compression extension) cannot be read and fail the stream ({@link MaskingException}).
 *
 * <p>Memory: a frame header, a control frame payload (≤ 125 bytes), up to {@link #MAX_PASS} bytes of
 * a passed-through message, and one {@link LineMasker} line buffer per masked channel.
 */
public final class WebSocketChannelMasker implements StreamMasker, WebSocketFrameReader.Frames {

    /** Bytes of an unmasked channel's message held to keep the message whole. */
    public static final int MAX_PASS = 64 << 10;

    private static final int STDOUT = 1, STDERR = 2, CLOSE_SIGNAL = 255;
    private static final int OP_TEXT = WebSocketFrameReader.OP_TEXT, OP_BINARY = WebSocketFrameReader.OP_BINARY,
            OP_CLOSE = WebSocketFrameReader.OP_CLOSE;

    private final boolean base64;
    private final LineMasker[] lines = new LineMasker[3];
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);

    private final WebSocketFrameReader reader = new WebSocketFrameReader(this);
    // current frame
    private boolean fin;
    private int opcode;
    // control frame payload
    private final byte[] control = new byte[125];
    private int controlLen;
    // current data message
    private int messageOpcode;
    private int channel = -1;        // -1 until the first payload byte of the message
    private boolean messageHadData;
    private final ByteArrayOutputStream pass = new ByteArrayOutputStream(256);
    private final byte[] b64Carry = new byte[4];
    private int b64CarryLen;
    private boolean closed;

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
        return reader.atMessageBoundary();
    }

    @Override
    public byte[] feed(byte[] b, int off, int len) {
        if (closed && len > 0) { // nothing may follow a close frame
            throw new MaskingException("WebSocket data after the close frame");
        }
        reader.feed(b, off, len);
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

    // ---- frames (from the reader) ----

    @Override
    public void frameStart(boolean fin, int opcode, long length) {
        if (closed) { // nothing may follow a close frame
            throw new MaskingException("WebSocket data after the close frame");
        }
        this.fin = fin;
        this.opcode = opcode;
        controlLen = 0;
        if (opcode == OP_TEXT || opcode == OP_BINARY) {
            messageOpcode = opcode;
            channel = -1;
            messageHadData = false;
            pass.reset();
            b64CarryLen = 0;
        }
    }

    /** Unmasked by the reader (servers must not mask; a masked frame is sent on unmasked). */
    @Override
    public void payload(byte[] b, int off, int n) {
        if (opcode >= 8) {
            System.arraycopy(b, off, control, controlLen, n);
            controlLen += n;
            return;
        }
        int k = off;
        int end = off + n;
        if (channel < 0 && n > 0) {
            int c = b[off] & 0xff;
            if (base64) {
                if (c < '0' || c > '9') {
                    throw new MaskingException("a base64 channel message without a channel digit");
                }
                c -= '0';
            }
            channel = c;
            k = off + 1;
        }
        if (k < end) {
            messageHadData = true;
            if (base64) {
                decodeBase64(b, k, end - k);
            } else {
                data(b, k, end - k);
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

    @Override
    public void frameEnd() {
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
