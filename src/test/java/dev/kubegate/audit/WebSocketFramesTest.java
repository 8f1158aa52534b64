package dev.kubegate.audit;

import dev.kubegate.masking.WebSocketFrameReaderTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketFramesTest {

    static byte[] frame(boolean fin, int opcode, byte[] payload, byte[] mask) {
        return WebSocketFrameReaderTest.frame(fin, opcode, payload, mask);
    }

    @Test
    void masksFragmentsControlFramesAndSplitReadsAreHandled() {
        List<String> got = new ArrayList<>();
        WebSocketFrames d = new WebSocketFrames(m -> got.add(new String(m, StandardCharsets.UTF_8)));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(frame(true, 2, "\u0001hello".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3, 4}));
        all.writeBytes(frame(true, 9, new byte[0], null)); // ping
        all.writeBytes(frame(false, 2, "\u0001wor".getBytes(StandardCharsets.UTF_8), null));
        all.writeBytes(frame(true, 0, "ld".getBytes(StandardCharsets.UTF_8), null));
        all.writeBytes(frame(true, 2, ("\u0002" + "x".repeat(300)).getBytes(StandardCharsets.UTF_8), null));
        byte[] bytes = all.toByteArray();
        for (int i = 0; i < bytes.length; i += 7) { // arbitrary TCP chunking
            d.feed(bytes, i, Math.min(7, bytes.length - i));
        }
        assertThat(got).containsExactly("\u0001hello", "\u0001world", "\u0002" + "x".repeat(300));
        assertThat(d.broken()).isFalse();
    }

    @Test
    void aStreamThatIsNotWebSocketStopsDecodingQuietly() {
        List<byte[]> got = new ArrayList<>();
        WebSocketFrames d = new WebSocketFrames(got::add);
        byte[] spdy = {(byte) 0x80, 0x03, 0x00, 0x01, 0x01, 0x00, 0x00, 0x10};
        d.feed(spdy, 0, spdy.length);
        assertThat(d.broken()).isTrue();
        assertThat(got).isEmpty();
    }
}
