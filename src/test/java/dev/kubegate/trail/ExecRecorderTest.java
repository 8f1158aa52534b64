package dev.kubegate.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.audit.WebSocketFrames;
import dev.kubegate.masking.MaskRules;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A session whose recording reaches its limit is ended at a message boundary, and everyone is told why. */
class ExecRecorderTest {

    static final MaskRules NO_MASKS = new MaskRules(false, List.of(), List.of());

    static byte[] serverFrame(int channel, String text) {
        byte[] payload = ("x" + text).getBytes(StandardCharsets.UTF_8);
        payload[0] = (byte) channel;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecEnding.frame(out, 0x2, payload);
        return out.toByteArray();
    }

    static byte[] clientFrame(int channel, String text) {
        byte[] payload = ("x" + text).getBytes(StandardCharsets.UTF_8);
        payload[0] = (byte) channel;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x82);
        out.write(0x80 | payload.length);
        byte[] mask = {9, 8, 7, 6};
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) out.write(payload[i] ^ mask[i & 3]);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void outputThatWouldPassTheLimitEndsTheSessionBeforeIt() throws Exception {
        Path file = Files.createTempDirectory("rec").resolve("r.cast");
        ExecRecorder r = new ExecRecorder("c1", file, false, NO_MASKS, 400, "kubectl exec");
        byte[] first = serverFrame(1, "a".repeat(100) + "\n");
        byte[] second = serverFrame(1, "b".repeat(300) + "\n");
        byte[] third = serverFrame(1, "c".repeat(50) + "\n");
        Buffer chunk = Buffer.buffer(concat(first, second, third));
        // The chunk goes on up to the message that would pass the limit; that one and the rest never do.
        assertThat(r.data(false, chunk)).isEqualTo(first.length);
        assertThat(r.data(true, Buffer.buffer(clientFrame(0, "rm -rf /\n")))).isZero();
        assertThat(r.data(false, Buffer.buffer(third))).isZero();
        Buffer last = r.lastWords();
        assertThat(last).isNotNull();
        assertThat(r.lastWords()).as("once").isNull();
        List<byte[]> frames = new ArrayList<>();
        new WebSocketFrames(frames::add).feed(last.getBytes(), 0, last.length());
        assertThat(frames).hasSize(1); // the close frame is a control frame
        assertThat(frames.get(0)[0]).isEqualTo((byte) 3);
        JsonNode status = new ObjectMapper().readTree(new String(frames.get(0), 1, frames.get(0).length - 1, StandardCharsets.UTF_8));
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("message").asText()).contains("kubegate ended this session").contains("limit of 400 bytes")
                .contains("kubegate.audit.max-recording");
        r.closed();
        assertThat(r.truncated).isTrue();
        assertThat(r.ended).contains("max-recording");
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
            List<String> lines = Files.readAllLines(file);
            assertThat(lines.get(lines.size() - 1)).contains("\"m\"").contains("kubegate: the session's recording reached its limit");
            assertThat(String.join("\n", lines)).contains("aaaa").doesNotContain("bbb").doesNotContain("ccc").doesNotContain("rm -rf");
            assertThat(Files.size(file)).isLessThanOrEqualTo(400 + 300);
        });
    }

    @Test
    void whenInputReachesTheLimitAHalfSentOutputMessageIsFinishedFirst() throws Exception {
        Path file = Files.createTempDirectory("rec").resolve("r.cast");
        ExecRecorder r = new ExecRecorder("c2", file, false, NO_MASKS, 260, "kubectl exec");
        byte[] out = serverFrame(1, "o".repeat(40) + "\n");
        assertThat(r.data(false, Buffer.buffer(java.util.Arrays.copyOf(out, 10)))).isEqualTo(10); // half a frame reached the client
        byte[] in = clientFrame(0, "i".repeat(100) + "\n");
        byte[] in2 = clientFrame(0, "later\n");
        assertThat(r.data(true, Buffer.buffer(concat(in, in2)))).as("the input would pass the limit").isZero();
        assertThat(r.lastWords()).as("not in the middle of a server frame").isNull();
        byte[] next = serverFrame(1, "not this\n");
        assertThat(r.data(false, Buffer.buffer(concat(java.util.Arrays.copyOfRange(out, 10, out.length), next))))
                .isEqualTo(out.length - 10);
        assertThat(r.lastWords()).isNotNull();
        r.closed();
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(Files.readString(file)).contains("oooo")
                .doesNotContain("not this").doesNotContain("later").doesNotContain("iiii"));
    }

    @Test
    void aLargeMessageIsStoppedByItsHeaderBeforeAnyOfItsBytesGoOn() throws Exception {
        Path file = Files.createTempDirectory("rec").resolve("r.cast");
        ExecRecorder r = new ExecRecorder("c4", file, false, NO_MASKS, 1000, "kubectl exec");
        byte[] small = serverFrame(1, "first\n");
        byte[] big = serverFrame(1, "z".repeat(5000) + "\n");
        // The first read has the small message and the big one's header with a few of its bytes.
        assertThat(r.data(false, Buffer.buffer(concat(small, java.util.Arrays.copyOf(big, 100))))).isEqualTo(small.length);
        assertThat(r.data(false, Buffer.buffer(java.util.Arrays.copyOfRange(big, 100, big.length)))).isZero();
        assertThat(r.lastWords()).isNotNull();
        r.closed();
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(Files.readString(file)).contains("first").doesNotContain("zzz"));
    }

    @Test
    void underTheLimitEverythingPasses() throws Exception {
        ExecRecorder r = new ExecRecorder("c3", Files.createTempDirectory("rec").resolve("r.cast"), false, NO_MASKS, 1 << 20, "t");
        byte[] f = serverFrame(1, "hello\n");
        assertThat(r.data(false, Buffer.buffer(f))).isEqualTo(f.length);
        assertThat(r.lastWords()).isNull();
        r.closed();
        assertThat(r.ended).isNull();
        assertThat(r.truncated).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> r.sha256 != null);
    }
}
