package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class WebSocketFrameReaderTest {

    /** One RFC 6455 frame, masked when {@code mask} is given (also used by the audit recorder's test). */
    public static byte[] frame(boolean fin, int opcode, byte[] payload, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int m = mask == null ? 0 : 0x80;
        if (payload.length < 126) {
            out.write(m | payload.length);
        } else if (payload.length < 65536) {
            out.write(m | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(m | 127);
            for (int s = 56; s >= 0; s -= 8) out.write((int) (((long) payload.length >>> s) & 0xff));
        }
        if (mask != null) {
            out.writeBytes(mask);
            byte[] p = payload.clone();
            for (int i = 0; i < p.length; i++) p[i] ^= mask[i & 3];
            out.writeBytes(p);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** Records events as text: "start fin op len", "data …", "end". */
    static final class Events implements WebSocketFrameReader.Frames {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        public void frameStart(boolean fin, int opcode, long length) {
            events.add("start " + fin + " " + opcode + " " + length);
        }

        @Override
        public void payload(byte[] b, int off, int n) {
            data.write(b, off, n);
        }

        @Override
        public void frameEnd() {
            events.add("end " + data.toString(StandardCharsets.UTF_8));
            data.reset();
        }
    }

    @Test
    void reportsFramesUnmaskedWhateverTheChunking() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(frame(false, 1, "hel".getBytes(StandardCharsets.UTF_8), new byte[] {9, 8, 7, 6}));
        all.writeBytes(frame(true, 9, "p".getBytes(StandardCharsets.UTF_8), null)); // a ping between fragments
        all.writeBytes(frame(true, 0, "lo".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3, 4}));
        all.writeBytes(frame(true, 2, "x".repeat(70_000).getBytes(StandardCharsets.UTF_8), new byte[] {5, 6, 7, 8}));
        all.writeBytes(frame(true, 8, new byte[0], null));
        byte[] bytes = all.toByteArray();
        for (int chunk : new int[] {1, 3, 7, 4096, bytes.length}) {
            Events e = new Events();
            WebSocketFrameReader r = new WebSocketFrameReader(e);
            for (int i = 0; i < bytes.length; i += chunk) {
                r.feed(bytes, i, Math.min(chunk, bytes.length - i));
            }
            assertThat(e.events).as("chunks of " + chunk).containsExactly(
                    "start false 1 3", "end hel", "start true 9 1", "end p", "start true 0 2", "end lo",
                    "start true 2 70000", "end " + "x".repeat(70_000), "start true 8 0", "end ");
            assertThat(r.atMessageBoundary()).isTrue();
        }
    }

    @Test
    void knowsWhenItIsInsideAMessage() {
        WebSocketFrameReader r = new WebSocketFrameReader(new Events());
        byte[] first = frame(false, 2, new byte[] {1, 2}, null);
        r.feed(first, 0, 1);
        assertThat(r.atMessageBoundary()).isFalse();
        r.feed(first, 1, first.length - 1);
        assertThat(r.atMessageBoundary()).as("between the fragments of a message").isFalse();
        byte[] last = frame(true, 0, new byte[] {3}, null);
        r.feed(last, 0, last.length);
        assertThat(r.atMessageBoundary()).isTrue();
    }

    @Test
    void refusesWhatItCannotFollow() {
        assertThatThrownBy(() -> feed(new byte[] {(byte) 0xC1, 0x00})).isInstanceOf(MaskingException.class).hasMessageContaining("RSV");
        assertThatThrownBy(() -> feed(new byte[] {(byte) 0x83, 0x00})).hasMessageContaining("unknown WebSocket opcode 3");
        assertThatThrownBy(() -> feed(new byte[] {(byte) 0x8B, 0x00})).hasMessageContaining("unknown WebSocket opcode 11");
        assertThatThrownBy(() -> feed(new byte[] {(byte) 0x80, 0x00})).hasMessageContaining("continuation frame without a message");
        assertThatThrownBy(() -> feed(new byte[] {0x09, 0x00})).hasMessageContaining("invalid WebSocket control frame");
        assertThatThrownBy(() -> feed(new byte[] {0x01, 0x00, (byte) 0x81, 0x00})).hasMessageContaining("began inside another");
        assertThatThrownBy(() -> feed(new byte[] {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}))
                .hasMessageContaining("invalid WebSocket frame length");
    }

    private static void feed(byte[] b) {
        new WebSocketFrameReader(new Events()).feed(b, 0, b.length);
    }
}
