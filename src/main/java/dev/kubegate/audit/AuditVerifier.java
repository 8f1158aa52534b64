package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a stored audit log: in every writer stream, each entry's own hash, its link to the entry
 * before it (sequence number and previous hash), each checkpoint's Ed25519 signature, that every
 * closed segment ends with a checkpoint, and that the log reaches the stream's signed head
 * ({@code head.json}). Reports the first problem of each stream with its exact position (segment,
 * line, sequence number) and a kind: {@code modified}, {@code removed}, {@code reordered},
 * {@code inserted}, {@code truncated}, {@code unsigned} (a checkpoint's signature does not verify).
 * Entries after the last checkpoint are valid but not yet covered by a signature: counted, not failed.
 * Plain Java, blocking; memory is a few dozen bytes per entry of the stream being checked.
 */
public final class AuditVerifier {

    public record Problem(String kind, String segment, long line, long seq, String message) {
    }

    public record StreamReport(String stream, int segments, long entries, long firstSeq, long lastSeq,
                               long lastCheckpointSeq, long unsignedTail, Problem problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    public record Report(String source, List<StreamReport> streams) {
        public boolean ok() {
            return !streams.isEmpty() && streams.stream().allMatch(StreamReport::ok);
        }
    }

    /** What the verifier keeps of each entry. */
    private record Line(String segment, long line, long seq, String prev, String hash, boolean checkpoint,
                        boolean firstOfSegment) {
        String at() {
            return segment + " line " + line + " (seq " + seq + ")";
        }
    }

    private AuditVerifier() {
    }

    /**
     * @param trusted keys to trust; when empty, the keys published with the log are used
     */
    public static Report verify(LogSource source, Map<String, PublicKey> trusted) throws IOException {
        Map<String, PublicKey> keys = trusted.isEmpty() ? source.keys() : trusted;
        List<StreamReport> out = new ArrayList<>();
        for (String stream : source.streams()) {
            out.add(verifyStream(source, stream, keys));
        }
        return new Report(source.describe(), out);
    }

    private static final class Failed extends RuntimeException {
        final Problem problem;

        Failed(Problem problem) {
            super(problem.message(), null, false, false);
            this.problem = problem;
        }
    }

    static StreamReport verifyStream(LogSource source, String stream, Map<String, PublicKey> keys) throws IOException {
        List<String> segments = source.segments(stream);
        List<Line> lines = new ArrayList<>();
        Problem problem = null;
        try {
            for (String segment : segments) {
                int before = lines.size();
                try (InputStream in = new BufferedInputStream(source.open(stream, segment), 1 << 16)) {
                    Segments.scan(in, (lineNo, bytes, len, end, complete) -> {
                        lines.add(read(stream, segment, lineNo, bytes, len, complete, lines.size() == before, keys));
                        return true;
                    });
                }
                if (lines.size() > before && Segments.isSegment(segment)
                        && Long.parseLong(segment.substring(0, 20)) != lines.get(before).seq) {
                    Line first = lines.get(before);
                    throw new Failed(new Problem("removed", segment, 1, first.seq, "segment " + segment
                            + " is named for seq " + Long.parseLong(segment.substring(0, 20)) + " but begins with seq "
                            + first.seq + ": its first entries were removed"));
                }
            }
            problem = links(lines);
            if (problem == null) {
                problem = segmentEnds(lines, segments);
            }
            if (problem == null) {
                problem = head(source, stream, lines, keys);
            }
        } catch (Failed f) {
            problem = f.problem;
        }
        long lastCheckpoint = 0;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).checkpoint) {
                lastCheckpoint = lines.get(i).seq;
                break;
            }
        }
        long last = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq;
        return new StreamReport(stream, segments.size(), lines.size(), lines.isEmpty() ? 0 : lines.get(0).seq, last,
                lastCheckpoint, last - lastCheckpoint, problem);
    }

    private static Line read(String stream, String segment, long lineNo, byte[] bytes, int len, boolean complete,
                             boolean firstOfSegment, Map<String, PublicKey> keys) throws IOException {
        if (!complete) {
            throw new Failed(new Problem("truncated", segment, lineNo, -1, segment + " ends in the middle of an entry at line "
                    + lineNo + ": the segment was truncated"));
        }
        Canonical.Opened o = Canonical.open(bytes, len);
        if (o == null) {
            throw new Failed(new Problem("modified", segment, lineNo, -1, segment + " line " + lineNo
                    + " is not an audit entry (no trailing hash): modified or inserted"));
        }
        JsonNode n;
        try {
            n = Canonical.JSON.readTree(o.body());
        } catch (IOException e) {
            throw new Failed(new Problem("modified", segment, lineNo, -1, segment + " line " + lineNo + " is not valid JSON: modified"));
        }
        long seq = n.path("seq").asLong(-1);
        if (!o.intact()) {
            throw new Failed(new Problem("modified", segment, lineNo, seq, segment + " line " + lineNo + " (seq " + seq
                    + ") was modified: its content does not match its hash"));
        }
        if (!stream.equals(n.path("stream").asText())) {
            throw new Failed(new Problem("inserted", segment, lineNo, seq, segment + " line " + lineNo + " (seq " + seq
                    + ") belongs to stream \"" + n.path("stream").asText() + "\", not " + stream + ": inserted"));
        }
        boolean checkpoint = "checkpoint".equals(n.path("type").asText());
        if (checkpoint) {
            String kid = n.path("keyId").asText();
            PublicKey key = keys.get(kid);
            String where = segment + " line " + lineNo + " (seq " + seq + ")";
            if (key == null) {
                throw new Failed(new Problem("unsigned", segment, lineNo, seq, "the checkpoint at " + where
                        + " is signed by key " + kid + ", which is not a trusted key"));
            }
            byte[] msg = AuditLog.checkpointMessage(stream, seq, n.path("prev").asText(), n.path("time").asText());
            if (!SigningKeys.verify(key, msg, n.path("signature").asText())) {
                throw new Failed(new Problem("unsigned", segment, lineNo, seq, "the checkpoint at " + where
                        + " has a signature that does not verify: forged or modified"));
            }
        }
        return new Line(segment, lineNo, seq, n.path("prev").asText(), o.hash(), checkpoint, firstOfSegment);
    }

    private static boolean follows(Line next, Line prev) {
        return next.seq == prev.seq + 1 && next.prev.equals(prev.hash);
    }

    private static Problem links(List<Line> lines) {
        for (int i = 0; i < lines.size(); i++) {
            Line e = lines.get(i);
            if (i == 0) {
                if (e.seq != 1 || !e.prev.equals(Canonical.ZERO_HASH)) {
                    return new Problem("removed", e.segment, e.line, e.seq, "the stream begins at " + e.at()
                            + ": entries 1.." + (e.seq - 1) + " were removed");
                }
                continue;
            }
            Line p = lines.get(i - 1);
            if (follows(e, p)) {
                continue;
            }
            if (i >= 2 && follows(e, lines.get(i - 2))) {
                return new Problem("inserted", p.segment, p.line, p.seq, p.at() + " is not part of the chain: "
                        + e.at() + " follows the entry before it; it was inserted");
            }
            if (i + 1 < lines.size() && follows(lines.get(i + 1), p)) {
                Line n = lines.get(i + 1);
                return new Problem("reordered", e.segment, e.line, e.seq, e.at() + " is out of order: the entry after seq "
                        + p.seq + " is " + n.at());
            }
            if (e.seq > p.seq + 1) {
                String what = e.firstOfSegment
                        ? p.segment + " was truncated or a segment removed: it ends at seq " + p.seq + " and " + e.segment + " starts at seq " + e.seq
                        : "entries are missing between " + p.at() + " and " + e.at();
                return new Problem(e.firstOfSegment ? "truncated" : "removed", e.segment, e.line, e.seq,
                        what + " (seq " + (p.seq + 1) + ".." + (e.seq - 1) + " removed)");
            }
            if (e.seq <= p.seq) {
                return new Problem("inserted", e.segment, e.line, e.seq, e.at() + " repeats or precedes seq " + p.seq
                        + " at " + p.segment + " line " + p.line + ": inserted or reordered");
            }
            return new Problem("modified", p.segment, p.line, p.seq, p.at() + " was modified or replaced: the next entry, "
                    + e.at() + ", recorded a different hash for it");
        }
        return null;
    }

    /** A closed segment (every one but the last) ends with the checkpoint written at rotation. */
    private static Problem segmentEnds(List<Line> lines, List<String> segments) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            Line e = lines.get(i);
            if (lines.get(i + 1).firstOfSegment && !e.checkpoint) {
                return new Problem("truncated", e.segment, e.line + 1, e.seq + 1, e.segment
                        + " was truncated: it ends at " + e.at() + " without the checkpoint that closes a segment");
            }
        }
        return null;
    }

    /** The log must reach the latest signed checkpoint recorded in {@code head.json}. */
    private static Problem head(LogSource source, String stream, List<Line> lines, Map<String, PublicKey> keys) throws IOException {
        Optional<byte[]> raw = source.head(stream);
        if (raw.isEmpty()) {
            return null;
        }
        byte[] b = raw.get();
        int len = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
        Line h;
        try {
            h = read(stream, Segments.HEAD, 1, b, len, true, false, keys);
        } catch (Failed f) {
            return new Problem(f.problem.kind(), Segments.HEAD, 1, f.problem.seq(), "head.json: " + f.problem.message());
        }
        if (!h.checkpoint) {
            return new Problem("modified", Segments.HEAD, 1, h.seq, "head.json does not hold a checkpoint");
        }
        Line last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
        if (last == null || last.seq < h.seq) {
            return new Problem("truncated", last == null ? "(no segment)" : last.segment, last == null ? 0 : last.line + 1,
                    last == null ? 1 : last.seq + 1, "the log was truncated: its signed head is the checkpoint at seq " + h.seq
                    + " but the log ends " + (last == null ? "before its first entry" : "at " + last.at()));
        }
        for (Line e : lines) {
            if (e.seq == h.seq) {
                if (!e.hash.equals(h.hash)) {
                    return new Problem("modified", e.segment, e.line, e.seq, e.at() + " differs from the signed checkpoint in head.json");
                }
                break;
            }
        }
        return null;
    }
}
