package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AuditLogTest {

    @TempDir
    Path tmp;

    private AuditLog open(Path root, long segmentBytes) throws IOException {
        return new AuditLog(new AuditLog.Options(root, "s1", FsyncPolicy.batch(Duration.ofMillis(2)), segmentBytes,
                Duration.ofHours(1), Duration.ofMillis(200), 1000, Duration.ofMillis(50)),
                SigningKeys.loadOrGenerate(tmp.resolve("key.pem")), Clock.systemUTC(), null);
    }

    private static ObjectNode entry(String id) {
        return Canonical.JSON.createObjectNode().put("type", "call").put("id", id);
    }

    /** Every id of a stream, in chain order. */
    private static List<String> ids(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path seg : Segments.list(root.resolve("s1"))) {
            for (String l : Files.readAllLines(seg, StandardCharsets.UTF_8)) {
                JsonNode n = Canonical.JSON.readTree(l);
                if (n.path("type").asText().equals("call")) out.add(n.path("id").asText());
            }
        }
        return out;
    }

    @Test
    void anAppendedEntryReportsItsHashInTheChain() throws Exception {
        Path root = tmp.resolve("audit-hash");
        AuditLog log = open(root, 1 << 20);
        AuditLog.Appended a = log.append(entry("h1"), false).get(5, TimeUnit.SECONDS);
        AuditLog.Appended b = log.append(entry("h2"), true).get(5, TimeUnit.SECONDS);
        log.close();
        java.util.Map<String, JsonNode> written = new java.util.HashMap<>();
        for (Path seg : Segments.list(root.resolve("s1"))) {
            for (String l : Files.readAllLines(seg, StandardCharsets.UTF_8)) {
                JsonNode n = Canonical.JSON.readTree(l);
                written.put(n.path("id").asText(), n);
            }
        }
        assertThat(a.hash()).isNotEmpty().isEqualTo(written.get("h1").path("hash").asText());
        assertThat(b.hash()).isEqualTo(written.get("h2").path("hash").asText());
        assertThat(written.get("h2").path("prev").asText()).isEqualTo(a.hash());
    }

    @Test
    void outageRefusesGatedCallsKeepsTheQueueAndShipsItInOrderOnce() throws Exception {
        Path root = tmp.resolve("audit");
        AuditLog log = open(root, 2048);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            log.append(entry("a" + i), true).get(5, TimeUnit.SECONDS);
            expected.add("a" + i);
        }
        // The disk goes away: the stream directory is replaced by a file, so the next rotation fails.
        Path dir = root.resolve("s1");
        Path moved = tmp.resolve("moved");
        Files.move(dir, moved);
        Files.writeString(dir, "not a directory");
        List<CompletableFuture<AuditLog.Appended>> gated = new ArrayList<>();
        for (int i = 0; i < 200 && log.failure() == null; i++) {
            gated.add(log.append(entry("g" + i), true));
            expected.add("g" + i);
            Thread.sleep(2);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> log.failure() != null);
        assertThat(gated).anyMatch(CompletableFuture::isCompletedExceptionally);
        // While unhealthy: a call waiting on its record is refused at once; completion records are kept.
        assertThat(log.append(entry("refused"), true)).isCompletedExceptionally();
        List<CompletableFuture<AuditLog.Appended>> kept = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            kept.add(log.append(entry("k" + i), false));
            expected.add("k" + i);
        }
        Thread.sleep(200);
        assertThat(kept).noneMatch(CompletableFuture::isDone);

        Files.delete(dir);
        Files.move(moved, dir);
        CompletableFuture.allOf(kept.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(log.failure()).isNull();
        log.append(entry("after"), true).get(5, TimeUnit.SECONDS);
        expected.add("after");
        log.close();

        assertThat(ids(root)).containsExactlyElementsOf(expected);
        AuditVerifier.Report r = AuditVerifier.verify(LogSource.directory(root), Map.of());
        assertThat(r.streams().get(0).problem()).isNull();
    }

    @Test
    void restartAfterACrashCutsTheTornEntryAndContinuesTheChain() throws Exception {
        Path root = tmp.resolve("audit");
        AuditLog log = open(root, 1 << 20);
        for (int i = 0; i < 10; i++) {
            log.append(entry("a" + i), true).get(5, TimeUnit.SECONDS);
        }
        // Simulate a crash mid-write: no shutdown checkpoint, half an entry at the end.
        List<Path> segs = Segments.list(root.resolve("s1"));
        Path last = segs.get(segs.size() - 1);
        Path copy = tmp.resolve("copy");
        Files.copy(last, copy);
        log.close();
        Files.copy(copy, last, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(last, "{\"id\":\"torn\",\"seq\":", StandardOpenOption.APPEND);

        AuditLog again = open(root, 1 << 20);
        again.append(entry("b0"), true).get(5, TimeUnit.SECONDS);
        again.close();
        List<String> ids = ids(root);
        assertThat(ids).startsWith("a0").endsWith("a9", "b0").doesNotContain("torn");
        AuditVerifier.Report r = AuditVerifier.verify(LogSource.directory(root), Map.of());
        assertThat(r.streams().get(0).problem()).isNull();
    }

    @Test
    void manyWritersShareFsyncs() throws Exception {
        Path root = tmp.resolve("audit");
        AuditLog log = open(root, 1 << 20);
        Map<String, Boolean> seen = new HashMap<>();
        List<CompletableFuture<AuditLog.Appended>> all = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            all.add(log.append(entry("c" + i), true));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        log.close();
        for (String id : ids(root)) {
            assertThat(seen.put(id, true)).isNull();
        }
        assertThat(seen).hasSize(900);
        assertThat(AuditVerifier.verify(LogSource.directory(root), Map.of()).ok()).isTrue();
    }
}
