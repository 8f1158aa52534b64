package dev.kubegate.masking;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * Masks a text stream ({@code pods/log}, exec stdout/stderr) line by line with the policy's log
 * patterns. A match is replaced by {@link #PLACEHOLDER}; when the pattern has a group named
 * {@code secret}, only that group is.
 *
 * <p>Cost: the patterns run as DFAs ({@link TextPatterns}): a few nanoseconds per character,
 * linear in the line whatever the pattern and the text (java.util.regex backtracked for seconds on
 * one hostile 64 KiB line; RE2/J's NFA took tens of milliseconds). What is masked is everything
 * some match covers (lazy quantifiers mask as far as greedy ones). A pattern the DFA engine does
 * not read keeps running on RE2/J, only where its required literals occur ({@link RequiredLiterals}).
 *
 * <p>Known values ({@link MaskRules#knownValues()}) are masked first, on the raw bytes, by a
 * {@link KnownValueFilter}; the patterns then run on its output.
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
public final class LineMasker implements StreamMasker {

    public static final String PLACEHOLDER = "***";
    /** Longest partial line kept, in bytes. */
    public static final int MAX_LINE = 64 << 10;
    /** Bytes of an over-long line kept as context for the next chunk. */
    public static final int TAIL = 8 << 10;

    private static final byte[] MASK = PLACEHOLDER.getBytes(StandardCharsets.ISO_8859_1);
    private static final TextPatterns PEM_BEGIN = TextPatterns.of(List.of("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), true).orElseThrow();
    private static final TextPatterns PEM_END = TextPatterns.of(List.of("-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"), true).orElseThrow();

    private static final byte[] BEGIN_LITERAL = "-----BEGIN ".getBytes(StandardCharsets.ISO_8859_1);

    private final List<String> dfaSources;  // patterns the DFA engine reads
    private final TextPatterns dfa;         // null: none
    private TextPatterns dfaWhole;          // the same, every match masked whole: where over-long lines may be cut
    private final TextPatterns.Scratch scratch = new TextPatterns.Scratch();
    private final Pattern[] patterns;       // the others, on RE2/J
    private final boolean[] narrowed;
    private final boolean pem;
    private final KnownValueFilter known; // null: no known values
    private byte[] partial = new byte[1024];
    private int partialLen;
    private boolean inPem;
    private long masked;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    private final List<int[]> hits = new ArrayList<>(); // {start, end, maskStart, maskEnd}
    private byte[] src;
    private int srcOff;
    // Prefilters of the RE2/J patterns: filters[p] for pattern p; null = always run.
    private final RequiredLiterals[] filters;
    private final int[][] nextHit;       // per filter and literal: next occurrence at or after the cursor, -1 unknown
    private String text;                 // the decoded block being masked
    private String lowerText;            // its ASCII-lower-cased copy, made when a case-insensitive filter needs it

    public LineMasker(List<Pattern> patterns) {
        this(patterns, true, KnownValues.NONE);
    }

    /** {@code prefilter} false: every pattern runs on every line (the reference the tests compare with). */
    LineMasker(List<Pattern> patterns, boolean prefilter) {
        this(patterns, prefilter, KnownValues.NONE);
    }

    LineMasker(List<Pattern> patterns, boolean prefilter, KnownValues values) {
        this(patterns, prefilter, values, true);
    }

    /** {@code dfa} false: every pattern on RE2/J (the reference the tests compare with). */
    LineMasker(List<Pattern> patterns, boolean prefilter, KnownValues values, boolean dfa) {
        List<String> sources = new ArrayList<>();
        List<Pattern> rest = new ArrayList<>();
        boolean anyPem = false;
        for (Pattern p : patterns) {
            anyPem |= p.pattern().contains("PRIVATE KEY");
            if (dfa && TextPatterns.reads(p.pattern())) {
                sources.add(p.pattern());
            } else {
                rest.add(p);
            }
        }
        this.dfaSources = List.copyOf(sources);
        this.dfa = sources.isEmpty() ? null : TextPatterns.of(dfaSources, false).orElseThrow();
        this.patterns = rest.toArray(Pattern[]::new);
        this.narrowed = new boolean[this.patterns.length];
        this.known = values.isEmpty() ? null : new KnownValueFilter(values);
        for (int i = 0; i < this.patterns.length; i++) {
            narrowed[i] = this.patterns[i].namedGroups().containsKey("secret");
        }
        this.pem = anyPem;
        this.filters = new RequiredLiterals[this.patterns.length];
        this.nextHit = new int[filters.length][];
        for (int i = 0; i < filters.length; i++) {
            filters[i] = prefilter ? RequiredLiterals.of(this.patterns[i]).orElse(null) : null;
            nextHit[i] = filters[i] == null ? null : new int[filters[i].literals.length];
        }
    }

    /** The matched text with A-Z lower-cased (same length; other chars kept): where case-insensitive literals are searched. */
    private String asciiLower() {
        byte[] l = new byte[text.length()];
        for (int i = 0; i < l.length; i++) {
            byte c = src[srcOff + i]; // Latin-1: char i is byte i
            l[i] = c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
        }
        return new String(l, StandardCharsets.ISO_8859_1);
    }

    /** Whether s[from, to) may hold a match of filter f: one of its required literals occurs there. */
    private boolean candidate(int f, int from, int to) {
        RequiredLiterals r = filters[f];
        if (r == null) {
            return true;
        }
        String hay = text;
        if (r.caseInsensitive) {
            if (lowerText == null) {
                lowerText = asciiLower();
            }
            hay = lowerText;
        }
        int[] next = nextHit[f];
        for (int k = 0; k < next.length; k++) {
            String lit = r.literals[k];
            int at = next[k];
            if (at != Integer.MAX_VALUE && at < from) { // stale: search again from this line on
                at = hay.indexOf(lit, from);
                next[k] = at = at < 0 ? Integer.MAX_VALUE : at;
            }
            if (at != Integer.MAX_VALUE && at + lit.length() <= to) {
                return true;
            }
        }
        return false;
    }

    /** Builds the automata these patterns need now (they are cached), so no stream pays for it. */
    public static void prepare(List<Pattern> patterns) {
        List<String> sources = patterns.stream().map(Pattern::pattern).filter(TextPatterns::reads).toList();
        if (!sources.isEmpty()) {
            TextPatterns.of(sources, false);
            TextPatterns.of(sources, true);
        }
    }

    public static LineMasker of(MaskRules rules) {
        return new LineMasker(rules.logPatterns(), true, rules.knownValues());
    }

    /** Number of masked ranges (and PEM body lines, and known values) so far. */
    @Override
    public long maskedCount() {
        return masked + (known == null ? 0 : known.maskedCount());
    }

    public byte[] feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** Masks the next chunk; returns the complete masked lines it ends (possibly empty). */
    @Override
    public byte[] feed(byte[] b, int off, int len) {
        if (known != null) {
            byte[] k = known.feed(b, off, len);
            return lines(k, 0, k.length);
        }
        return lines(b, off, len);
    }

    private byte[] lines(byte[] b, int off, int len) {
        int end = off + len, from = off;
        int nl = indexOf(b, from, end);
        if (nl >= 0 && partialLen > 0) { // the line begun in an earlier chunk ends here
            append(b, from, nl - from);
            maskLines(partial, 0, withNewline());
            partialLen = 0;
            from = nl + 1;
        }
        int last = lastIndexOf(b, from, end);
        if (last >= 0) { // every complete line of the chunk at once
            maskLines(b, from, last + 1 - from);
            from = last + 1;
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

    /** End of stream: the held partial line, masked; a held prefix of a known value is masked too. */
    @Override
    public byte[] finish() {
        if (known != null) {
            byte[] k = known.finish();
            lines(k, 0, k.length);
        }
        return flushLine();
    }

    /** True when no partial line (or possible start of a known value) is held. */
    @Override
    public boolean atBoundary() {
        return partialLen == 0 && (known == null || known.empty());
    }

    /**
     * The held partial line, masked, without adding a newline; the stream may go on (an idle
     * interactive session flushes its prompt this way). A possible start of a known value long
     * enough to matter stays held (see {@link KnownValueFilter#flushIdle()}).
     */
    public byte[] flush() {
        if (known != null) {
            byte[] k = known.flushIdle();
            lines(k, 0, k.length);
        }
        return flushLine();
    }

    private byte[] flushLine() {
        if (partialLen > 0) {
            String s = new String(partial, 0, partialLen, StandardCharsets.ISO_8859_1);
            reset(s, partial, 0);
            write(s, 0, findHits(s, 0, s.length()), s.length());
            partialLen = 0;
        }
        return take();
    }

    private int withNewline() {
        partial[partialLen] = '\n';
        return partialLen + 1;
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] literal) {
        outer:
        for (int i = from; i <= to - literal.length; i++) {
            for (int k = 0; k < literal.length; k++) {
                if (b[i + k] != literal[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private byte[] take() {
        byte[] r = out.toByteArray();
        out.reset();
        return r;
    }

    private void append(byte[] b, int off, int len) {
        if (partialLen + len + 1 > partial.length) { // + 1: room for the newline that ends it
            partial = Arrays.copyOf(partial, Math.max(partialLen + len + 1, Math.min(partial.length * 2, MAX_LINE + 1)));
        }
        System.arraycopy(b, off, partial, partialLen, len);
        partialLen += len;
    }

    /** Masks complete lines (each ending with '\n'), decoded once, each line matched on its own. */
    private void maskLines(byte[] b, int off, int len) {
        if (patterns.length == 0 && dfa == null && !pem) {
            out.write(b, off, len);
            return;
        }
        String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
        reset(s, b, off);
        for (int a = 0; a < len; ) {
            int e = s.indexOf('\n', a);
            write(s, a, findHits(s, a, e), e + 1);
            a = e + 1;
        }
    }

    /** The text matched next, and the bytes it was decoded from (written out where not masked). */
    private void reset(String s, byte[] bytes, int off) {
        src = bytes;
        srcOff = off;
        text = s;
        lowerText = null;
        for (int[] next : nextHit) {
            if (next != null) {
                java.util.Arrays.fill(next, -1);
            }
        }
    }

    /** A partial line reached MAX_LINE: write most of it, keep a tail (see the class comment). */
    private void overflow() {
        String s = new String(partial, 0, partialLen, StandardCharsets.ISO_8859_1);
        reset(s, partial, 0);
        List<int[]> found = findHits(s, 0, s.length());
        int cut = s.length() - TAIL;
        List<int[]> extents = new ArrayList<>(found);
        if (dfa != null) {
            if (dfaWhole == null) {
                dfaWhole = TextPatterns.of(dfaSources, true).orElseThrow();
            }
            dfaWhole.cover(src, srcOff, srcOff + s.length(), scratch, (a, e) -> extents.add(new int[]{a - srcOff, e - srcOff, a - srcOff, e - srcOff}));
        }
        for (int[] h : extents) {
            if (h[0] < cut && h[1] > cut) {
                cut = h[1] < s.length() ? h[1] : h[0] > 0 ? h[0] : s.length();
                break;
            }
        }
        final int c = cut;
        found.removeIf(h -> h[1] > c);
        write(s, 0, found, c);
        System.arraycopy(partial, c, partial, 0, partialLen - c);
        partialLen -= c;
    }

    /**
     * Matches in s[from, to) (one line, without its newline): {start, end, maskStart, maskEnd}.
     * The DFA reports masked ranges (start and end are the masked range); each RE2/J pattern runs
     * on the line alone, and only where its required literals occur.
     */
    private List<int[]> findHits(String s, int from, int to) {
        hits.clear();
        int pemFrom = from;
        if (pem && inPem) { // inside a private key block: everything up to its END marker
            int end = PEM_END.firstEnd(src, srcOff + from, srcOff + to);
            int stop = to;
            if (end >= 0) {
                inPem = false;
                stop = end - srcOff;
            }
            pemFrom = stop;
            if (stop > from) {
                hits.add(new int[]{from, stop, from, stop});
            }
        }
        if (pemFrom >= to) {
            return hits;
        }
        if (dfa != null) {
            dfa.cover(src, srcOff + pemFrom, srcOff + to, scratch, (a, e) -> hits.add(new int[]{a - srcOff, e - srcOff, a - srcOff, e - srcOff}));
        }
        String line = null;
        for (int p = 0; p < patterns.length; p++) {
            if (!candidate(p, pemFrom, to)) {
                continue;
            }
            if (line == null) {
                line = s.substring(pemFrom, to);
            }
            Matcher m = patterns[p].matcher(line);
            while (m.find()) {
                if (m.end() > m.start()) {
                    int g = narrowed[p] ? m.start("secret") : -1;
                    hits.add(g >= 0
                            ? new int[]{pemFrom + m.start(), pemFrom + m.end(), pemFrom + g, pemFrom + m.end("secret")}
                            : new int[]{pemFrom + m.start(), pemFrom + m.end(), pemFrom + m.start(), pemFrom + m.end()});
                }
            }
        }
        if (pem && !inPem) { // a block opened here and not closed: the following lines are key material
            int opening = indexOf(src, srcOff + pemFrom, srcOff + to, BEGIN_LITERAL);
            int lastBegin = opening < 0 ? -1 : PEM_BEGIN.lastEnd(src, opening, srcOff + to);
            if (lastBegin >= 0 && PEM_END.firstEnd(src, lastBegin, srcOff + to) < 0) {
                inPem = true;
            }
        }
        if (hits.size() > 1) {
            hits.sort((x, y) -> x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(y[1], x[1]));
        }
        return hits;
    }

    /** Writes s[from, to) with the mask ranges of the hits (sorted by start) replaced, merged when they overlap. */
    private void write(String s, int from, List<int[]> found, int to) {
        if (found.isEmpty()) {
            writeLatin1(s, from, to);
            return;
        }
        found.sort((x, y) -> Integer.compare(x[2], y[2]));
        int at = from;
        for (int i = 0; i < found.size(); ) {
            int start = found.get(i)[2], end = found.get(i)[3];
            for (i++; i < found.size() && found.get(i)[2] <= end; i++) {
                end = Math.max(end, found.get(i)[3]);
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
            out.write(src, srcOff + from, to - from); // Latin-1: char i is byte i
        }
    }
}
