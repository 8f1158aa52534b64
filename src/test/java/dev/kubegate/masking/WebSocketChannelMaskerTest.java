package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static dev.kubegate.masking.MaskingFixtures.defaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebSocketChannelMaskerTest {

    static final MaskRules RULES = defaults();
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    // ---- a tiny frame writer and reader (RFC 6455), independent of the masker ----

    static byte[] frame(boolean fin, int opcode, byte[] payload, byte[] maskKey) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write((fin ? 0x80 : 0) | opcode);
        int m = maskKey == null ? 0 : 0x80;
        int n = payload.length;
        if (n < 126) {
            o.write(m | n);
        } else if (n < 65536) {
            o.write(m | 126);
            o.write(n >>> 8);
            o.write(n & 0xff);
        } else {
            o.write(m | 127);
            for (int s = 56; s >= 0; s -= 8) o.write((int) (((long) n >>> s) & 0xff));
        }
        byte[] p = payload.clone();
        if (maskKey != null) {
            o.writeBytes(maskKey);
            for (int i = 0; i < p.length; i++) p[i] ^= maskKey[i & 3];
        }
        o.writeBytes(p);
        return o.toByteArray();
    }

    static byte[] msg(int channel, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[t.length + 1];
        p[0] = (byte) channel;
        System.arraycopy(t, 0, p, 1, t.length);
        return frame(true, 2, p, null);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    record Frame(boolean fin, int opcode, byte[] payload) {
        int channel() {
            return payload[0] & 0xff;
        }

        String text() {
            return new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8);
        }
    }

    static List<Frame> parse(byte[] b) {
        List<Frame> out = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            boolean fin = (b[i] & 0x80) != 0;
            int op = b[i] & 0x0f;
            assertThat(b[i + 1] & 0x80).as("server frames are not masked").isZero();
            long n = b[i + 1] & 0x7f;
            i += 2;
            if (n == 126) {
                n = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
                i += 2;
            } else if (n == 127) {
                n = 0;
                for (int k = 0; k < 8; k++) n = (n << 8) | (b[i + k] & 0xff);
                i += 8;
            }
            byte[] p = new byte[(int) n];
            System.arraycopy(b, i, p, 0, (int) n);
            i += (int) n;
            out.add(new Frame(fin, op, p));
        }
        return out;
    }

    /** The text of a channel, concatenated over the binary messages. */
    static String channel(List<Frame> frames, int ch) {
        StringBuilder sb = new StringBuilder();
        for (Frame f : frames) {
            if (f.opcode() == 2 && f.payload().length > 0 && f.channel() == ch) sb.append(f.text());
        }
        return sb.toString();
    }

    static byte[] run(WebSocketChannelMasker m, byte[] in, int... cuts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int from = 0;
        for (int c : cuts) {
            o.writeBytes(m.feed(in, from, c - from));
            from = c;
        }
        o.writeBytes(m.feed(in, from, in.length - from));
        o.writeBytes(m.finish());
        return o.toByteArray();
    }

    static WebSocketChannelMasker binary() {
        return WebSocketChannelMasker.forProtocol("v5.channel.k8s.io", RULES).orElseThrow();
    }

    @Test
    void stdoutAndStderrAreMaskedOtherChannelsPassWhole() {
        String status = "{\"kind\":\"Status\",\"status\":\"Success\",\"message\":\"token=abc\"}";
        byte[] in = concat(msg(1, "aws_secret_access_key = " + AWS_SECRET + "\n"), msg(2, "password=hunter2 failed\n"),
                msg(3, status));
        WebSocketChannelMasker m = binary();
        List<Frame> out = parse(run(m, in));
        assertThat(channel(out, 1)).isEqualTo("aws_secret_access_key = ***\n");
        assertThat(channel(out, 2)).isEqualTo("password=*** failed\n");
        assertThat(channel(out, 3)).isEqualTo(status); // the exit Status is not output: kept exactly
        assertThat(out).allMatch(Frame::fin);
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void aSecretSplitAcrossMessagesFramesAndEveryByteBoundaryIsMasked() {
        String line = "export AWS_SECRET_ACCESS_KEY=" + AWS_SECRET + " done\n";
        byte[] t = line.getBytes(StandardCharsets.UTF_8);
        // the line in three messages, the second fragmented in two frames with a ping between them
        byte[] m2 = new byte[21];
        System.arraycopy(t, 10, m2, 1, 20);
        m2[0] = 1;
        byte[] in = concat(msg(1, line.substring(0, 10)),
                frame(false, 2, java.util.Arrays.copyOfRange(m2, 0, 8), null),
                frame(true, 9, "ping".getBytes(), null),
                frame(true, 0, java.util.Arrays.copyOfRange(m2, 8, 21), new byte[]{1, 2, 3, 4}),
                msg(1, line.substring(30)));
        String expected = "export AWS_SECRET_ACCESS_KEY=*** done\n";
        for (int cut = 0; cut <= in.length; cut++) {
            for (int cut2 = cut; cut2 <= in.length; cut2 += 7) {
                List<Frame> out = parse(run(binary(), in, cut, cut2));
                assertThat(channel(out, 1)).as("cuts %d %d", cut, cut2).isEqualTo(expected);
                assertThat(out).filteredOn(f -> f.opcode() == 9).singleElement()
                        .satisfies(f -> assertThat(new String(f.payload())).isEqualTo("ping"));
            }
        }
    }

    @Test
    void closeFrameAndV5CloseSignalFlushTheLineBuffers() {
        byte[] in = concat(msg(1, "token=abc123 no newline"), frame(true, 2, new byte[]{(byte) 255, 1}, null),
                msg(2, "password=x"), frame(true, 8, new byte[]{0x03, (byte) 0xe8}, null));
        List<Frame> out = parse(run(binary(), in));
        assertThat(out).extracting(Frame::opcode).containsExactly(2, 2, 2, 8);
        assertThat(out.get(0).text()).isEqualTo("token=*** no newline");
        assertThat(out.get(1).payload()).containsExactly((byte) 255, 1);
        assertThat(out.get(2).channel()).isEqualTo(2);
        assertThat(out.get(2).text()).isEqualTo("password=***");
        assertThatThrownBy(() -> binary().feed(concat(frame(true, 8, new byte[0], null), msg(1, "x")), 0, 10))
                .isInstanceOf(MaskingException.class);
    }

    @Test
    void idleFlushSendsAPromptWithoutItsNewline() {
        WebSocketChannelMasker m = binary();
        assertThat(m.feed(msg(1, "/ # "), 0, msg(1, "/ # ").length)).isEmpty();
        List<Frame> out = parse(m.flushPartialLines());
        assertThat(channel(out, 1)).isEqualTo("/ # ");
    }

    @Test
    void base64ProtocolIsDecodedMaskedAndReencoded() {
        WebSocketChannelMasker m = WebSocketChannelMasker.forProtocol("base64.channel.k8s.io", RULES).orElseThrow();
        String secret = "password=hunter2\nok\n";
        byte[] payload = ("1" + Base64.getEncoder().encodeToString(secret.getBytes())).getBytes(StandardCharsets.US_ASCII);
        byte[] in = concat(frame(false, 1, java.util.Arrays.copyOfRange(payload, 0, 7), null),
                frame(true, 0, java.util.Arrays.copyOfRange(payload, 7, payload.length), null));
        List<Frame> out = parse(run(m, in, 3, 11));
        StringBuilder text = new StringBuilder();
        for (Frame f : out) {
            assertThat(f.opcode()).isEqualTo(1);
            assertThat((char) f.payload()[0]).isEqualTo('1');
            text.append(new String(Base64.getDecoder().decode(java.util.Arrays.copyOfRange(f.payload(), 1, f.payload().length))));
        }
        assertThat(text.toString()).isEqualTo("password=***\nok\n");
    }

    @Test
    void largeFramesUseExtendedLengthsAndMemoryStaysBounded() {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(1);
        while (sb.length() < 300_000) {
            sb.append("line ").append(r.nextInt()).append(r.nextInt(10) == 0 ? " token=SECRETVALUE" : "").append('\n');
        }
        byte[] in = msg(1, sb.toString());
        List<Frame> out = parse(run(binary(), in, 100, 70_000, 200_000));
        String text = channel(out, 1);
        assertThat(text).doesNotContain("SECRETVALUE");
        assertThat(text).isEqualTo(sb.toString().replace("token=SECRETVALUE", "token=***"));
    }

    @Test
    void unreadableStreamsFailClosed() {
        assertThatThrownBy(() -> binary().feed(new byte[]{(byte) 0xC2, 0x01, 0x01}, 0, 3)) // RSV1: compressed
                .isInstanceOf(MaskingException.class);
        assertThatThrownBy(() -> binary().feed(frame(true, 0, new byte[]{1}, null), 0, 3)) // continuation of nothing
                .isInstanceOf(MaskingException.class);
        byte[] twoStarts = concat(frame(false, 2, new byte[]{1, 'a'}, null), frame(true, 2, new byte[]{1, 'b'}, null));
        assertThatThrownBy(() -> binary().feed(twoStarts, 0, twoStarts.length)).isInstanceOf(MaskingException.class);
        assertThat(WebSocketChannelMasker.forProtocol("SPDY/3.1", RULES)).isEmpty();
        assertThat(WebSocketChannelMasker.forProtocol(null, RULES)).isEmpty();
    }
}
