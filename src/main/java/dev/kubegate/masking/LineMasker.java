package dev.kubegate.masking;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks a text stream ({@code pods/log}, exec stdout/stderr) line by line with the policy's log
 * patterns. A match is replaced by {@link #PLACEHOLDER}; when the pattern has a group named
 * {@code secret}, only that group is.
 *
 * <p>Feed chunks as they come ({@link #feed}); complete lines are masked and returned at once, at
 * most one partial line is kept (up to {@link #MAX_LINE} bytes) until its newline arrives or
 * {@link #flush()} ends the stream. Bytes are read as ISO-8859-1, so any byte sequence (binary
 * output, broken UTF-8) passes through unchanged outside the masked ranges; the patterns are ASCII.
 *
 * <p>A line longer than {@link #MAX_LINE}: the buffered part is masked and written, except its last
 * {@link #TAIL} bytes, which stay to give context to what follows. A match that crosses that cut is
 * masked whole if it ends inside the buffer; if it runs to the end of the buffer (so may continue
 * in the next chunk, e.g. a secret split exactly at the bound) the cut moves back to where the
 * match starts, so it is matched again with its continuation. Only a single match longer than the
 * whole buffer is emitted in pieces: its first {@code MAX_LINE} bytes masked, the rest masked only
 * if the rest matches on its own.
 *
 * <p>PEM private keys span lines: when a pattern mentions {@code PRIVATE KEY}, a line opening a
 * {@code -----BEGIN ... PRIVATE KEY-----} block without closing it masks every following line up to
 * and including the {@code -----END ... PRIVATE KEY-----} marker.
 *
 * <p>Not thread-safe: one instance per stream.
 */
public final class LineMasker {

    public static final String PLACEHOLDER = "***";
    /** Longest partial line kept, in bytes. */
    public static final int MAX_LINE = 64 << 10;
    /** Bytes of an over-long line kept as context for the next chunk. */
    public static final int TAIL = 8 << 10;

    private static final byte[] MASK = PLACEHOLDER.getBytes(StandardCharsets.ISO_8859_1);
    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----");
    private static final Pattern PEM_END = Pattern.compile("-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----");

    private final List<Pattern> patterns;
    private final boolean[] narrowed;
    private final boolean pem;
    private byte[] partial = new byte[1024];
    private int partialLen;
    private boolean inPem;
    private long masked;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);

    public LineMasker(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
        this.narrowed = new boolean[this.patterns.size()];
        boolean anyPem = false;
        for (int i = 0; i < narrowed.length; i++) {
            String p = this.patterns.get(i).pattern();
            narrowed[i] = p.contains("(?<secret>");
            anyPem |= p.contains("PRIVATE KEY");
        }
        this.pem = anyPem;
    }

    public static LineMasker of(MaskRules rules) {
        return new LineMasker(rules.logPatterns());
    }

    /** Number of masked ranges (and PEM body lines) so far. */
    public long maskedCount() {
        return masked;
    }

    public byte[] feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** Masks the next chunk; returns the complete masked lines it ends (possibly empty). */
    public byte[] feed(byte[] b, int off, int len) {
        int end = off + len, from = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                if (partialLen == 0) {
                    maskLine(b, from, i - from);
                } else {
                    append(b, from, i - from);
                    maskLine(partial, 0, partialLen);
                    partialLen = 0;
                }
                out.write('\n');
                from = i + 1;
            }
        }
        while (from < end) { // the last partial line, emitted in pieces if it grows too long
            int n = Math.min(end - from, MAX_LINE - partialLen);
            append(b, from, n);
            from += n;
            if (partialLen >= MAX_LINE) {
                overflow();
            }
        }
        return take();
    }

    /** End of stream: the last line, masked, without adding a newline. */
    public byte[] flush() {
        if (partialLen > 0) {
            maskLine(partial, 0, partialLen);
            partialLen = 0;
        }
        return take();
    }

    private byte[] take() {
        byte[] r = out.toByteArray();
        out.reset();
        return r;
    }

    private void append(byte[] b, int off, int len) {
        if (partialLen + len > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLen + len, Math.min(partial.length * 2, MAX_LINE)));
        }
        System.arraycopy(b, off, partial, partialLen, len);
        partialLen += len;
    }

    /** One match: where it is, and what of it is masked. */
    private record Hit(int start, int end, int maskStart, int maskEnd) {}

    private void maskLine(byte[] b, int off, int len) {
        if (patterns.isEmpty() || len == 0) {
            out.write(b, off, len);
            return;
        }
        String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
        write(s, hits(s), s.length());
    }

    /** A partial line reached MAX_LINE: write most of it, keep a tail (see the class comment). */
    private void overflow() {
        String s = new String(partial, 0, partialLen, StandardCharsets.ISO_8859_1);
        List<Hit> hits = hits(s);
        int cut = s.length() - TAIL;
        for (Hit h : hits) {
            if (h.start < cut && h.end > cut) {
                cut = h.end < s.length() ? h.end : h.start > 0 ? h.start : s.length();
                break;
            }
        }
        final int c = cut;
        write(s, hits.stream().filter(h -> h.end <= c).toList(), c);
        System.arraycopy(partial, c, partial, 0, partialLen - c);
        partialLen -= c;
    }

    private List<Hit> hits(String s) {
        List<Hit> hits = new ArrayList<>();
        int pemFrom = 0;
        if (pem && inPem) { // inside a private key block: everything up to its END marker
            Matcher e = PEM_END.matcher(s);
            if (e.find()) {
                inPem = false;
                pemFrom = e.end();
            }
            int to = inPem ? s.length() : e.end();
            if (to > 0) {
                hits.add(new Hit(0, to, 0, to));
            }
        }
        for (int p = 0; p < patterns.size(); p++) {
            Matcher m = patterns.get(p).matcher(s);
            int at = pemFrom;
            while (at <= s.length() && m.find(at)) {
                if (m.end() > m.start()) {
                    int ms = narrowed[p] && m.start("secret") >= 0 ? m.start("secret") : m.start();
                    int me = narrowed[p] && m.start("secret") >= 0 ? m.end("secret") : m.end();
                    hits.add(new Hit(m.start(), m.end(), ms, me));
                }
                at = Math.max(m.end(), m.start() + 1);
            }
        }
        if (pem && !inPem) { // a block opened here and not closed: the following lines are key material
            Matcher b = PEM_BEGIN.matcher(s);
            int lastBegin = -1;
            while (b.find(pemFrom)) {
                lastBegin = b.end();
                pemFrom = b.end();
            }
            if (lastBegin >= 0 && !PEM_END.matcher(s).region(lastBegin, s.length()).find()) {
                inPem = true;
            }
        }
        hits.sort((x, y) -> x.start != y.start ? Integer.compare(x.start, y.start) : Integer.compare(y.end, x.end));
        return hits;
    }

    /** Writes s[0, to) with the mask ranges of hits replaced, overlapping ranges merged. */
    private void write(String s, List<Hit> hits, int to) {
        int[] ranges = hits.stream().flatMapToInt(h -> java.util.stream.IntStream.of(h.maskStart, h.maskEnd)).toArray();
        // sort ranges by start, then merge
        Integer[] idx = new Integer[ranges.length / 2];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Integer.compare(ranges[2 * a], ranges[2 * b]));
        int at = 0;
        int i = 0;
        while (i < idx.length) {
            int start = ranges[2 * idx[i]], end = ranges[2 * idx[i] + 1];
            i++;
            while (i < idx.length && ranges[2 * idx[i]] <= end) {
                end = Math.max(end, ranges[2 * idx[i] + 1]);
                i++;
            }
            start = Math.max(start, at);
            end = Math.min(end, to);
            if (start >= end) {
                continue;
            }
            writeLatin1(s, at, start);
            out.write(MASK, 0, MASK.length);
            masked++;
            at = end;
        }
        writeLatin1(s, at, to);
    }

    private void writeLatin1(String s, int from, int to) {
        if (to > from) {
            byte[] b = s.substring(from, to).getBytes(StandardCharsets.ISO_8859_1);
            out.write(b, 0, b.length);
        }
    }
}
