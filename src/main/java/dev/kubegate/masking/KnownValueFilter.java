package dev.kubegate.masking;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces every occurrence of a {@link KnownValues} value — raw, or inside base64 text — in a byte
 * stream by {@link LineMasker#PLACEHOLDER}, across chunk boundaries. Runs first on a log or exec
 * stream, before the patterns (a pattern masking part of a value would hide the rest from this
 * filter).
 *
 * <p>Holding back: what is emitted can no longer be masked, so the bytes that may still become a
 * value — the longest suffix of the input that is a prefix of a value (raw or encoded) — are held
 * until they complete a value (masked) or diverge (emitted). At most the longest value minus one
 * byte is ever held.
 *
 * <p>An idle stream (an interactive shell waiting, {@link #flushIdle()}) must show its prompt, yet
 * a value printed one character at a time must not come out character by character. So when the
 * stream pauses, a held prefix shorter than {@link #HOLD_MIN} bytes ({@link #HOLD_MIN_BASE64}
 * base64 characters) is released, a longer one is kept until it completes or diverges: a value
 * printed slowly shows at most its first {@code HOLD_MIN - 1} characters. At the end of the stream
 * ({@link #finish()}) a held prefix at least that long is masked, never shown.
 *
 * <p>Linear in the input; not thread-safe (one per stream).
 */
public final class KnownValueFilter {

    /** A held raw prefix this long is kept through an idle flush, and masked at the end. */
    public static final int HOLD_MIN = 3;
    /** The same, in base64 characters (3 characters ≈ 2 bytes of the value). */
    public static final int HOLD_MIN_BASE64 = 4;

    private static final byte[] MASK = LineMasker.PLACEHOLDER.getBytes(StandardCharsets.ISO_8859_1);

    private final KnownValues values;
    private int rawState;
    private int b64State;
    private final long[] b64Positions; // stream offsets of the last base64-automaton characters (a ring)
    private final int ringMask;
    private long b64Count;
    private long pos;                  // stream offset of the next byte
    private byte[] pending = new byte[256];
    private int pendingLen;
    private long pendingStart;         // stream offset of pending[0]
    private final List<long[]> ranges = new ArrayList<>(); // masked [start, end), sorted, disjoint
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private long masked;

    public KnownValueFilter(KnownValues values) {
        this.values = values;
        // a power of two: the ring is indexed with a mask, not a division, on every byte
        this.b64Positions = new long[Integer.highestOneBit(Math.max(1, values.base64.maxLength) * 2 - 1)];
        this.ringMask = b64Positions.length - 1;
    }

    public long maskedCount() {
        return masked;
    }

    /** Filters the next chunk; returns what can be shown now. */
    public byte[] feed(byte[] b, int off, int len) {
        KnownValues.Automaton raw = values.raw, b64 = values.base64;
        ensure(len);
        for (int i = off, end = off + len; i < end; i++) {
            int c = b[i] & 0xff;
            pending[pendingLen++] = b[i];
            long p = pos++;
            rawState = raw.step(rawState, c);
            int m = raw.matchLength(rawState);
            if (m > 0) {
                mark(p + 1 - m, p + 1);
            }
            if (c != '\n' && c != '\r') { // base64 tools wrap lines: a value may be split by a break
                b64Positions[(int) b64Count & ringMask] = p;
                b64Count++;
                b64State = b64.step(b64State, c);
                int e = b64.matchLength(b64State);
                if (e > 0) {
                    mark(b64Start(e), p + 1);
                }
            }
        }
        emit(safeBoundary());
        return take();
    }

    /** The stream paused: emit what is held unless it is a long enough prefix of a value. */
    public byte[] flushIdle() {
        boolean longPrefix = values.raw.depth(rawState) >= HOLD_MIN || values.base64.depth(b64State) >= HOLD_MIN_BASE64;
        emit(longPrefix ? safeBoundary() : pos);
        return take();
    }

    /** End of the stream: a long enough held prefix of a value is masked, the rest emitted. */
    public byte[] finish() {
        int rawDepth = values.raw.depth(rawState), b64Depth = values.base64.depth(b64State);
        if (rawDepth >= HOLD_MIN) {
            mark(pos - rawDepth, pos);
        }
        if (b64Depth >= HOLD_MIN_BASE64) {
            mark(b64Start(b64Depth), pos);
        }
        emit(pos);
        rawState = 0;
        b64State = 0;
        return take();
    }

    /** True when nothing is held. */
    public boolean empty() {
        return pendingLen == 0;
    }

    /** Stream offset of the first of the last {@code n} base64-automaton characters. */
    private long b64Start(int n) {
        return b64Positions[(int) (b64Count - n) & ringMask];
    }

    /** Everything before this offset is final: no value can still start there. */
    private long safeBoundary() {
        long boundary = pos - values.raw.depth(rawState);
        int d = values.base64.depth(b64State);
        if (d > 0) {
            boundary = Math.min(boundary, b64Start(d));
        }
        for (long[] r : ranges) { // a masked range is not cut in two
            if (r[0] < boundary && r[1] > boundary) {
                boundary = r[0];
            }
        }
        return boundary;
    }

    /** Masks stream bytes [start, end), as far as they are not emitted yet. */
    private void mark(long start, long end) {
        start = Math.max(start, pendingStart);
        if (start >= end) {
            return;
        }
        int i = ranges.size();
        while (i > 0 && ranges.get(i - 1)[1] >= start) { // merge with every range it touches
            long[] r = ranges.remove(--i);
            start = Math.min(start, r[0]);
            end = Math.max(end, r[1]);
        }
        ranges.add(i, new long[]{start, end});
    }

    /** Writes pending bytes before {@code upTo}, masked ranges replaced. */
    private void emit(long upTo) {
        int n = (int) (upTo - pendingStart);
        if (n <= 0) {
            return;
        }
        int at = 0;
        while (!ranges.isEmpty() && ranges.get(0)[0] < upTo) {
            long[] r = ranges.remove(0);
            int s = (int) (r[0] - pendingStart), e = (int) (r[1] - pendingStart);
            out.write(pending, at, s - at);
            out.write(MASK, 0, MASK.length);
            masked++;
            at = e;
        }
        if (at < n) {
            out.write(pending, at, n - at);
        }
        System.arraycopy(pending, n, pending, 0, pendingLen - n);
        pendingLen -= n;
        pendingStart = upTo;
    }

    private void ensure(int more) {
        if (pendingLen + more > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pendingLen + more, pending.length * 2));
        }
    }

    private byte[] take() {
        byte[] r = out.toByteArray();
        out.reset();
        return r;
    }
}
