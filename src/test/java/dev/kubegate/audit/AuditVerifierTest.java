package dev.kubegate.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Tamper tests: each kind of edit is found, with the exact segment, line and sequence number. */
class AuditVerifierTest {

    @TempDir
    Path tmp;
    Path root;
    Path stream;

    @BeforeEach
    void writeLog() throws Exception {
        root = tmp.resolve("audit");
        SigningKeys.Signer signer = SigningKeys.loadOrGenerate(tmp.resolve("key.pem"));
        AuditLog log = new AuditLog(new AuditLog.Options(root, "replica-a", FsyncPolicy.ALWAYS, 4096,
                Duration.ofHours(1), Duration.ofHours(1), 10_000, Duration.ofMillis(50)), signer, Clock.systemUTC(), null);
        List<CompletableFuture<AuditLog.Appended>> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ObjectNode e = Canonical.JSON.createObjectNode().put("type", "call").put("n", i).put("verb", "get");
            all.add(log.append(e, true));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        log.close();
        stream = root.resolve("replica-a");
        assertThat(Segments.list(stream)).hasSizeGreaterThan(2);
    }

    private AuditVerifier.StreamReport verify() throws IOException {
        AuditVerifier.Report r = AuditVerifier.verify(LogSource.directory(root), Map.of());
        assertThat(r.streams()).hasSize(1);
        return r.streams().get(0);
    }

    private Path segment(int i) throws IOException {
        return Segments.list(stream).get(i);
    }

    private static List<String> lines(Path p) throws IOException {
        return new ArrayList<>(Files.readAllLines(p, StandardCharsets.UTF_8));
    }

    private static void write(Path p, List<String> lines) throws IOException {
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static long seqOf(String line) throws IOException {
        return Canonical.JSON.readTree(line).path("seq").asLong();
    }

    @Test
    void untouchedLogVerifies() throws IOException {
        AuditVerifier.StreamReport r = verify();
        assertThat(r.problem()).isNull();
        assertThat(r.firstSeq()).isEqualTo(1);
        assertThat(r.unsignedTail()).isZero(); // closed with a shutdown checkpoint
        assertThat(r.entries()).isGreaterThan(60);
    }

    @Test
    void flippedByteIsModified() throws IOException {
        Path seg = segment(1);
        List<String> l = lines(seg);
        long seq = seqOf(l.get(2));
        l.set(2, l.get(2).replace("\"verb\":\"get\"", "\"verb\":\"gex\""));
        write(seg, l);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("modified");
        assertThat(p.segment()).isEqualTo(seg.getFileName().toString());
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.seq()).isEqualTo(seq);
    }

    @Test
    void deletedEntryIsRemoved() throws IOException {
        Path seg = segment(1);
        List<String> l = lines(seg);
        long seq = seqOf(l.get(3));
        l.remove(3);
        write(seg, l);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("removed");
        assertThat(p.segment()).isEqualTo(seg.getFileName().toString());
        assertThat(p.line()).isEqualTo(4); // where seq+1 now sits
        assertThat(p.message()).contains("seq " + seq + ".." + seq + " removed");
    }

    @Test
    void swappedEntriesAreReordered() throws IOException {
        Path seg = segment(0);
        List<String> l = lines(seg);
        long seq = seqOf(l.get(4));
        String a = l.get(4);
        l.set(4, l.get(5));
        l.set(5, a);
        write(seg, l);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("reordered");
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.seq()).isEqualTo(seq + 1);
    }

    @Test
    void forgedEntryWithValidHashAndLinkIsInserted() throws IOException {
        Path seg = segment(1);
        List<String> l = lines(seg);
        // A forger who knows the format: same seq as the next entry, linked to its predecessor, rehashed.
        var before = Canonical.JSON.readTree(l.get(2));
        ObjectNode forged = Canonical.JSON.createObjectNode().put("type", "call").put("verb", "delete")
                .put("stream", "replica-a").put("seq", before.path("seq").asLong() + 1).put("id", "forged")
                .put("time", "2026-11-26T00:00:00Z")
                .put("prev", before.path("hash").asText());
        String line = new String(Canonical.seal(forged).line(), StandardCharsets.UTF_8).strip();
        l.add(3, line);
        write(seg, l);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("inserted");
        assertThat(p.segment()).isEqualTo(seg.getFileName().toString());
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.seq()).isEqualTo(before.path("seq").asLong() + 1);
    }

    @Test
    void segmentCutMidEntryIsTruncated() throws IOException {
        Path seg = segment(1);
        byte[] b = Files.readAllBytes(seg);
        Files.write(seg, java.util.Arrays.copyOf(b, b.length - 40));
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("truncated");
        assertThat(p.segment()).isEqualTo(seg.getFileName().toString());
        assertThat(p.line()).isEqualTo(lines(seg).size());
    }

    @Test
    void closedSegmentCutAtALineIsTruncated() throws IOException {
        Path seg = segment(0);
        List<String> l = lines(seg);
        int keep = l.size() - 3;
        long lastKept = seqOf(l.get(keep - 1));
        write(seg, l.subList(0, keep));
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("truncated");
        assertThat(p.message()).contains(seg.getFileName().toString()).contains("ends at seq " + lastKept);
    }

    @Test
    void tailCutBeforeTheSignedHeadIsTruncated() throws IOException {
        List<Path> segs = Segments.list(stream);
        Path last = segs.get(segs.size() - 1);
        List<String> l = lines(last);
        long lastKept = seqOf(l.get(l.size() - 3));
        write(last, l.subList(0, l.size() - 2)); // drops the shutdown checkpoint and one entry
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("truncated");
        assertThat(p.segment()).isEqualTo(last.getFileName().toString());
        assertThat(p.seq()).isEqualTo(lastKept + 1);
    }

    @Test
    void removedSegmentIsFound() throws IOException {
        Path seg = segment(1);
        Files.delete(seg);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isIn("truncated", "removed");
        assertThat(p.segment()).isEqualTo(segment(1).getFileName().toString());
    }

    @Test
    void forgedCheckpointSignatureIsRejected() throws IOException {
        Path seg = segment(0);
        List<String> l = lines(seg);
        int cp = l.size() - 1; // a closed segment ends with its checkpoint
        ObjectNode n = (ObjectNode) Canonical.JSON.readTree(l.get(cp));
        n.remove("hash");
        n.put("signature", java.util.Base64.getEncoder().encodeToString(new byte[64]));
        l.set(cp, new String(Canonical.seal(n).line(), StandardCharsets.UTF_8).strip());
        write(seg, l);
        AuditVerifier.Problem p = verify().problem();
        assertThat(p.kind()).isEqualTo("unsigned");
        assertThat(p.line()).isEqualTo(cp + 1);
    }

    @Test
    void untrustedKeyIsRejected() throws Exception {
        SigningKeys.Signer other = SigningKeys.loadOrGenerate(tmp.resolve("other.pem"));
        AuditVerifier.Report r = AuditVerifier.verify(LogSource.directory(root), Map.of(other.keyId(), other.publicKey()));
        assertThat(r.ok()).isFalse();
        assertThat(r.streams().get(0).problem().kind()).isEqualTo("unsigned");
    }
}
