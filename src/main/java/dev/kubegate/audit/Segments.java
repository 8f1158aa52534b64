package dev.kubegate.audit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The on-disk layout of an audit log: one directory per writer stream under the audit root, holding
 * append-only segments named by the sequence number of their first entry ({@code 00000000000000000001.jsonl}),
 * so that name order is chain order; {@code head.json} holds the stream's latest signed checkpoint;
 * {@code keys/} holds the public keys ({@code <key id>.pub}). Blocking file I/O: worker threads only.
 */
public final class Segments {

    public static final String SUFFIX = ".jsonl";
    public static final String HEAD = "head.json";
    public static final String KEYS = "keys";
    /** Longest line read back (entries with bodies are bounded well below this). */
    public static final int MAX_LINE = 16 << 20;
    private static final Pattern SEGMENT = Pattern.compile("\\d{20}\\.jsonl");

    private Segments() {
    }

    public static String name(long firstSeq) {
        return String.format("%020d%s", firstSeq, SUFFIX);
    }

    public static boolean isSegment(String fileName) {
        return SEGMENT.matcher(fileName).matches();
    }

    /** The first sequence number of a segment, from its name. */
    public static long firstSeq(Path segment) {
        String n = segment.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - SUFFIX.length()));
    }

    /** A stream's segments in chain order. */
    public static List<Path> list(Path streamDir) throws IOException {
        if (!Files.isDirectory(streamDir)) {
            return List.of();
        }
        try (var s = Files.list(streamDir)) {
            return s.filter(p -> isSegment(p.getFileName().toString())).sorted().toList();
        }
    }

    /** The stream directories under an audit root (those holding a segment or a head). */
    public static List<Path> streams(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(root)) {
            for (Path d : (Iterable<Path>) s.sorted()::iterator) {
                if (Files.isDirectory(d) && !d.getFileName().toString().equals(KEYS)
                        && (!list(d).isEmpty() || Files.exists(d.resolve(HEAD)))) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    /** Receives a segment's lines in order. */
    public interface LineVisitor {
        /**
         * @param lineNo   1-based line number
         * @param line     the line's bytes without the newline (valid only during the call)
         * @param len      its length
         * @param end      the file offset just after this line (and its newline, when complete)
         * @param complete whether the line ended with a newline (false: the file ends mid-line)
         * @return false to stop reading
         */
        boolean line(long lineNo, byte[] line, int len, long end, boolean complete) throws IOException;
    }

    public static void scan(Path segment, LineVisitor visitor) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(segment), 1 << 16)) {
            scan(in, visitor);
        }
    }

    public static void scan(InputStream in, LineVisitor visitor) throws IOException {
        byte[] buf = new byte[4096];
        int len = 0;
        long offset = 0;
        long lineNo = 0;
        int b;
        while ((b = in.read()) != -1) {
            offset++;
            if (b == '\n') {
                if (!visitor.line(++lineNo, buf, len, offset, true)) {
                    return;
                }
                len = 0;
                continue;
            }
            if (len == buf.length) {
                if (len >= MAX_LINE) {
                    throw new IOException("an audit line longer than " + MAX_LINE + " bytes at line " + (lineNo + 1));
                }
                buf = Arrays.copyOf(buf, len * 2);
            }
            buf[len++] = (byte) b;
        }
        if (len > 0) {
            visitor.line(++lineNo, buf, len, offset, false);
        }
    }
}
