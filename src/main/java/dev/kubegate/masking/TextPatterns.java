package dev.kubegate.masking;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Log patterns run as lazily built DFAs: a few nanoseconds per character whatever the patterns and
 * the text, where RE2/J's NFA takes about a hundred per pattern (a hostile 64 KiB line cost tens of
 * milliseconds with the default pack). One instance serves every stream with the same patterns and
 * is thread-safe.
 *
 * <p>What is masked is the union of everything a match covers: a character is masked when some
 * match of some pattern consumes it with a masked state (see {@link Nfa}). Two passes find it in
 * linear time: forwards, the automaton started at every position says which characters some match
 * begun earlier consumes with a masked state; backwards, the reversed automaton started at every
 * position says from which states the rest of the text can still reach a match's end. A character
 * is masked where the two meet. Most lines never enter a masked state and skip the second pass.
 *
 * <p>The DFA states (sets of automaton states) are built on first use and cached, up to
 * {@link #MAX_CACHED} per direction; past that, new ones are computed for the step at hand and
 * dropped: still linear, at the automaton's size per character.
 */
public final class TextPatterns {

    static final int MAX_CACHED = 4096;
    private static final int NONWORD = 0, WORD = 1, EDGE = 2; // the character on the other side of a boundary
    private static final Map<List<String>, Optional<TextPatterns>> COMPILED = new ConcurrentHashMap<>();
    private static final int MAX_COMPILED = 16; // pattern sets: a bundle has one or a few; each may cache a few MB of states
    private static final Map<String, Boolean> READS = new ConcurrentHashMap<>();

    private final Nfa nfa;
    private final int words;            // 64-bit words in a state set
    private final int[] classOf = new int[256];
    private final int classes;
    private final boolean[] classIsWord;
    private final int[] wordKind = new int[256];
    private final int[][] epsilonPredecessors;
    private final Direction forward = new Direction();
    private final Direction backward = new Direction();

    private TextPatterns(Nfa nfa) {
        this.nfa = nfa;
        this.words = (nfa.size() + 63) >>> 6;
        // characters no set tells apart share a class; \w is one of the sets (for \b)
        Map<String, Integer> signatures = new java.util.HashMap<>();
        int n = 0;
        for (int c = 0; c < 256; c++) {
            StringBuilder sig = new StringBuilder(Nfa.isWord(c) ? "w" : "-");
            for (long[] s : nfa.sets) {
                sig.append(Nfa.contains(s, c) ? '1' : '0');
            }
            Integer k = signatures.get(sig.toString());
            if (k == null) {
                k = n++;
                signatures.put(sig.toString(), k);
            }
            classOf[c] = k;
        }
        this.classes = n;
        this.classIsWord = new boolean[n];
        for (int c = 0; c < 256; c++) {
            classIsWord[classOf[c]] = Nfa.isWord(c);
            wordKind[c] = Nfa.isWord(c) ? WORD : NONWORD;
        }
        int[] counts = new int[nfa.size()];
        for (int q = 0; q < nfa.size(); q++) {
            if (nfa.kind[q] == Nfa.SPLIT || nfa.kind[q] == Nfa.EMPTY) {
                counts[nfa.out1[q]]++;
                if (nfa.kind[q] == Nfa.SPLIT) {
                    counts[nfa.out2[q]]++;
                }
            }
        }
        epsilonPredecessors = new int[nfa.size()][];
        for (int q = 0; q < nfa.size(); q++) {
            epsilonPredecessors[q] = new int[counts[q]];
        }
        Arrays.fill(counts, 0);
        for (int q = 0; q < nfa.size(); q++) {
            if (nfa.kind[q] == Nfa.SPLIT || nfa.kind[q] == Nfa.EMPTY) {
                epsilonPredecessors[nfa.out1[q]][counts[nfa.out1[q]]++] = q;
                if (nfa.kind[q] == Nfa.SPLIT) {
                    epsilonPredecessors[nfa.out2[q]][counts[nfa.out2[q]]++] = q;
                }
            }
        }
    }

    /**
     * The patterns as DFAs, or empty when one uses syntax this engine does not read (the caller
     * then keeps RE2/J). Compiled once per list of patterns.
     */
    public static Optional<TextPatterns> of(List<String> patterns, boolean wholeMatch) {
        List<String> key = new java.util.ArrayList<>(patterns);
        key.add(wholeMatch ? "\0whole" : "\0secret");
        Optional<TextPatterns> p = COMPILED.get(key);
        if (p == null) {
            p = Nfa.compile(patterns, wholeMatch).map(TextPatterns::new);
            if (COMPILED.size() >= MAX_COMPILED) {
                COMPILED.clear(); // the sets of older bundles; the current one is compiled again on its next use
            }
            COMPILED.putIfAbsent(List.copyOf(key), p);
        }
        return p;
    }

    /** Whether this engine reads the pattern (else it stays on RE2/J). */
    public static boolean reads(String pattern) {
        Boolean r = READS.get(pattern);
        if (r == null) {
            r = Nfa.compile(List.of(pattern), false).isPresent();
            if (READS.size() < MAX_COMPILED * 8) {
                READS.putIfAbsent(pattern, r);
            }
        }
        return r;
    }

    /** Receives masked ranges, in order, each as far apart as one unmasked character at least. */
    public interface Ranges {
        void range(int start, int end);
    }

    /** Scratch space of one caller (one stream): not shared between threads. */
    public static final class Scratch {
        int[] at = new int[64];
        long[][] targets = new long[64][];
        int count;
        boolean[] covered = new boolean[0];
    }

    /**
     * Reports the masked ranges of the Latin-1 text b[from, to), read as a whole text of its own.
     * Forwards, it notes where a masked state is entered and where a match ends; without a match
     * ending after a masked character, nothing is masked and the backward pass is skipped.
     */
    public void cover(byte[] b, int from, int to, Scratch scratch, Ranges out) {
        scratch.count = 0;
        int lastEnd = -1;
        State s = forward.initial(this, before(b, from, from), after(b, from, to));
        if (s.accepting) {
            lastEnd = from;
        }
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            Step t = forwardStep(s, c, i + 1 < to ? wordKind[b[i + 1] & 0xff] : EDGE);
            if (t.masked != null) {
                record(scratch, i, t.masked);
            }
            s = t.to;
            if (s.accepting) {
                lastEnd = i + 1;
            }
        }
        if (scratch.count == 0 || lastEnd <= scratch.at[0]) {
            return;
        }
        int first = scratch.at[0];
        if (scratch.covered.length < lastEnd - first) {
            scratch.covered = new boolean[Math.max(lastEnd - first, scratch.covered.length * 2)];
        }
        boolean[] covered = scratch.covered;
        Arrays.fill(covered, 0, lastEnd - first, false);
        // no match ends after lastEnd: the backward pass starts there
        State back = backward.initial(this, before(b, from, lastEnd), after(b, lastEnd, to));
        int k = scratch.count - 1;
        while (k >= 0 && scratch.at[k] >= lastEnd) {
            k--;
        }
        for (int j = lastEnd - 1; j >= first && k >= 0; j--) {
            // back is the set of states from which b[j + 1, ...) reaches a match's end
            if (scratch.at[k] == j) {
                covered[j - first] = intersects(scratch.targets[k], back.set);
                k--;
            }
            back = backwardStep(back, b[j] & 0xff, j > from ? wordKind[b[j - 1] & 0xff] : EDGE).to;
        }
        for (int j = first; j < lastEnd; ) {
            if (!covered[j - first]) {
                j++;
                continue;
            }
            int e = j;
            while (e < lastEnd && covered[e - first]) {
                e++;
            }
            out.range(j, e);
            j = e;
        }
    }

    /** The kind of character before position at, in a text that starts at from. */
    private int before(byte[] b, int from, int at) {
        return at > from ? wordKind[b[at - 1] & 0xff] : EDGE;
    }

    private int after(byte[] b, int at, int to) {
        return at < to ? wordKind[b[at] & 0xff] : EDGE;
    }

    /** Where the first match in the Latin-1 text b[from, to) ends, or -1. */
    public int firstEnd(byte[] b, int from, int to) {
        return matchEnd(b, from, to, true);
    }

    /** Where the last match in the Latin-1 text b[from, to) to end ends, or -1. */
    public int lastEnd(byte[] b, int from, int to) {
        return matchEnd(b, from, to, false);
    }

    private int matchEnd(byte[] b, int from, int to, boolean first) {
        State s = forward.initial(this, EDGE, after(b, from, to));
        int last = s.accepting ? from : -1;
        for (int i = from; i < to && !(first && last >= 0); i++) {
            s = forwardStep(s, b[i] & 0xff, after(b, i + 1, to)).to;
            if (s.accepting) {
                last = i + 1;
            }
        }
        return last;
    }

    private static void record(Scratch scratch, int at, long[] targets) {
        if (scratch.count == scratch.at.length) {
            scratch.at = Arrays.copyOf(scratch.at, scratch.count * 2);
            scratch.targets = Arrays.copyOf(scratch.targets, scratch.count * 2);
        }
        scratch.at[scratch.count] = at;
        scratch.targets[scratch.count++] = targets;
    }


    private static boolean intersects(long[] a, long[] b) {
        for (int k = 0; k < a.length; k++) {
            if ((a[k] & b[k]) != 0) {
                return true;
            }
        }
        return false;
    }

    // ---- the two lazy DFAs ---------------------------------------------------------------

    /** A set of automaton states; its transitions are filled in as they are first taken. */
    static final class State {
        final long[] set;
        final boolean accepting;
        final boolean cached;
        final Step[] next; // by class * 3 + kind of the character beyond; racy but only ever set to equal values

        State(long[] set, boolean accepting, boolean cached, int width) {
            this.set = set;
            this.accepting = accepting;
            this.cached = cached;
            this.next = new Step[width];
        }
    }

    /** Where a character leads, and (forwards) the states it enters through a masked state, or null. */
    record Step(State to, long[] masked) {
    }

    private static final class Direction {
        final Map<Key, State> states = new ConcurrentHashMap<>();
        final AtomicInteger size = new AtomicInteger();
        final State[] initial = new State[9]; // by kind before × kind after

        State intern(TextPatterns p, long[] set, boolean accepting) {
            Key key = new Key(set);
            State s = states.get(key);
            if (s != null) {
                return s;
            }
            if (size.get() >= MAX_CACHED) {
                return new State(set, accepting, false, p.classes * 3); // used for this step only
            }
            s = new State(set, accepting, true, p.classes * 3);
            State prior = states.putIfAbsent(key, s);
            if (prior == null) {
                size.incrementAndGet();
                return s;
            }
            return prior;
        }

        /** The state at a text's edge (forwards: its start; backwards: where matches may end), between these kinds. */
        State initial(TextPatterns p, int before, int after) {
            int slot = before * 3 + after;
            State s = initial[slot];
            if (s == null) {
                long[] set = new long[p.words];
                if (this == p.forward) {
                    Nfa.set(set, p.nfa.start);
                    p.closeForward(set, before, after);
                } else {
                    markMatches(p, set);
                    p.closeBackward(set, before, after);
                }
                s = intern(p, set, p.accepting(set));
                initial[slot] = s;
            }
            return s;
        }
    }

    private static void markMatches(TextPatterns p, long[] set) {
        for (int q = 0; q < p.nfa.size(); q++) {
            if (p.nfa.kind[q] == Nfa.MATCH) {
                Nfa.set(set, q);
            }
        }
    }

    private record Key(long[] set) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(set, k.set);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(set);
        }
    }

    private Step forwardStep(State s, int c, int after) {
        int cls = classOf[c];
        int slot = cls * 3 + after;
        Step t = s.next[slot];
        if (t == null) {
            long[] next = new long[words];
            long[] masked = null;
            for (int q = nextSetBit(s.set, 0); q >= 0; q = nextSetBit(s.set, q + 1)) {
                if (nfa.kind[q] == Nfa.CHAR && Nfa.contains(nfa.sets.get(nfa.set[q]), c)) {
                    Nfa.set(next, nfa.out1[q]);
                    if (nfa.masked[q]) {
                        if (masked == null) {
                            masked = new long[words];
                        }
                        Nfa.set(masked, nfa.out1[q]);
                    }
                }
            }
            Nfa.set(next, nfa.start); // a match may begin at every position
            int before = classIsWord[cls] ? WORD : NONWORD;
            closeForward(next, before, after);
            t = new Step(forward.intern(this, next, accepting(next)), masked);
            if (t.to.cached) { // a cached state never leads to one that is not: memory stays bounded
                s.next[slot] = t;
            }
        }
        return t;
    }

    private Step backwardStep(State b, int c, int before) {
        int cls = classOf[c];
        int slot = cls * 3 + before;
        Step t = b.next[slot];
        if (t == null) {
            long[] prev = new long[words];
            for (int q = 0; q < nfa.size(); q++) {
                if (nfa.kind[q] == Nfa.CHAR && Nfa.contains(b.set, nfa.out1[q]) && Nfa.contains(nfa.sets.get(nfa.set[q]), c)) {
                    Nfa.set(prev, q);
                }
            }
            markMatches(this, prev); // a match may end at every position
            int after = classIsWord[cls] ? WORD : NONWORD;
            closeBackward(prev, before, after);
            t = new Step(backward.intern(this, prev, false), null);
            if (t.to.cached) {
                b.next[slot] = t;
            }
        }
        return t;
    }

    /** Adds what the empty transitions reach at a boundary between characters of these kinds. */
    private void closeForward(long[] set, int before, int after) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int q = nextSetBit(set, 0); q >= 0; q = nextSetBit(set, q + 1)) {
            work.push(q);
        }
        while (!work.isEmpty()) {
            int q = work.pop();
            int k = nfa.kind[q];
            if (k == Nfa.SPLIT) {
                add(set, nfa.out1[q], work);
                add(set, nfa.out2[q], work);
            } else if (k == Nfa.EMPTY && holds(nfa.assertion[q], before, after)) {
                add(set, nfa.out1[q], work);
            }
        }
    }

    /** Adds the states whose empty transitions reach the set at a boundary between characters of these kinds. */
    private void closeBackward(long[] set, int before, int after) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int q = nextSetBit(set, 0); q >= 0; q = nextSetBit(set, q + 1)) {
            work.push(q);
        }
        while (!work.isEmpty()) {
            int q = work.pop();
            for (int p : epsilonPredecessors[q]) {
                if (nfa.kind[p] == Nfa.SPLIT || holds(nfa.assertion[p], before, after)) {
                    add(set, p, work);
                }
            }
        }
    }

    private static void add(long[] set, int q, ArrayDeque<Integer> work) {
        if (!Nfa.contains(set, q)) {
            Nfa.set(set, q);
            work.push(q);
        }
    }

    private static boolean holds(int assertion, int before, int after) {
        return switch (assertion) {
            case Nfa.BEGIN_TEXT -> before == EDGE;
            case Nfa.END_TEXT -> after == EDGE;
            case Nfa.WORD_BOUNDARY -> (before == WORD) != (after == WORD);
            case Nfa.NOT_WORD_BOUNDARY -> (before == WORD) == (after == WORD);
            default -> true;
        };
    }

    private boolean accepting(long[] set) {
        for (int q = nextSetBit(set, 0); q >= 0; q = nextSetBit(set, q + 1)) {
            if (nfa.kind[q] == Nfa.MATCH) {
                return true;
            }
        }
        return false;
    }

    private static int nextSetBit(long[] set, int from) {
        int w = from >>> 6;
        if (w >= set.length) {
            return -1;
        }
        long word = set[w] & (-1L << from);
        while (true) {
            if (word != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
            if (++w == set.length) {
                return -1;
            }
            word = set[w];
        }
    }
}
