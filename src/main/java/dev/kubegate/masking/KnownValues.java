package dev.kubegate.masking;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secret values a text stream must never show: the values of the Secrets a pod can read, looked up
 * before its logs or exec output are streamed. Immutable and shared; each stream runs its own
 * {@link KnownValueFilter} over these automata.
 *
 * <p>Two Aho–Corasick automata, both linear in the text whatever the number of values:
 * <ul>
 *   <li>{@code raw}: every value as its bytes;</li>
 *   <li>{@code base64}: every value as it appears inside longer base64 text ({@code env | base64},
 *       a value embedded in an encoded blob). Its encoding depends on its offset modulo 3 in the
 *       encoded bytes, so each value gives three strings: for each alignment, the base64 characters
 *       that only its own bytes determine. Line breaks are skipped by the filter (base64 tools wrap
 *       at 76 columns), so a value split by a wrap is still found.</li>
 * </ul>
 * Values shorter than {@link #MIN_LENGTH} bytes are left out: masking every "true" or "admin" in a
 * log would destroy it, and such values are guessable anyway.
 */
public final class KnownValues {

    /** Shorter values are not masked by value (only by pattern). */
    public static final int MIN_LENGTH = 6;

    public static final KnownValues NONE = new KnownValues(List.of());

    final Automaton raw;
    final Automaton base64;
    private final int count;

    private KnownValues(List<byte[]> values) {
        List<byte[]> encoded = new ArrayList<>();
        for (byte[] v : values) {
            for (int align = 0; align < 3; align++) {
                byte[] stable = stableBase64(v, align);
                if (stable.length >= MIN_LENGTH) {
                    encoded.add(stable);
                }
            }
        }
        this.raw = new Automaton(values);
        this.base64 = new Automaton(encoded);
        this.count = values.size();
    }

    /** The values to mask (duplicates and values shorter than {@link #MIN_LENGTH} dropped). */
    public static KnownValues of(Collection<byte[]> values) {
        Set<String> seen = new LinkedHashSet<>();
        List<byte[]> kept = new ArrayList<>();
        for (byte[] v : values) {
            if (v.length >= MIN_LENGTH && seen.add(new String(v, StandardCharsets.ISO_8859_1))) {
                kept.add(v.clone());
            }
        }
        return kept.isEmpty() ? NONE : new KnownValues(kept);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Number of distinct values masked. */
    public int size() {
        return count;
    }

    /**
     * The base64 characters of {@code value} placed {@code align} bytes into a 3-byte group, keeping
     * only the characters whose 6 bits all come from the value (neighbouring bytes decide the others).
     */
    static byte[] stableBase64(byte[] value, int align) {
        byte[] shifted = new byte[align + value.length];
        System.arraycopy(value, 0, shifted, align, value.length);
        byte[] enc = Base64.getEncoder().withoutPadding().encode(shifted);
        int firstBit = 8 * align, endBit = 8 * (align + value.length);
        int from = (firstBit + 5) / 6;       // first char starting at or after the value's first bit
        int to = endBit / 6;                 // chars ending at or before the value's last bit
        return from >= to ? new byte[0] : Arrays.copyOfRange(enc, from, to);
    }

    /**
     * A byte-level Aho–Corasick automaton. State 0 is the root; {@link #step} follows failure links
     * (amortized O(1) per byte); {@link #matchLength} is the longest value ending at a state;
     * {@link #depth} the length of the longest suffix of the input that is a prefix of some value.
     */
    static final class Automaton {
        private final int[][] keys;    // per state: sorted bytes (as unsigned ints) with a transition
        private final int[][] targets; // per state: the state each key leads to
        private final int[] fail;
        private final int[] rootNext = new int[256];
        private final int[] depth;
        private final int[] match;
        final int maxLength;

        Automaton(List<byte[]> patterns) {
            List<Map<Integer, Integer>> trie = new ArrayList<>();
            List<Integer> depths = new ArrayList<>();
            List<Integer> ends = new ArrayList<>();
            trie.add(new HashMap<>());
            depths.add(0);
            ends.add(0);
            int longest = 0;
            for (byte[] p : patterns) {
                int s = 0;
                for (byte b : p) {
                    int c = b & 0xff;
                    Integer next = trie.get(s).get(c);
                    if (next == null) {
                        next = trie.size();
                        trie.add(new HashMap<>());
                        depths.add(depths.get(s) + 1);
                        ends.add(0);
                        trie.get(s).put(c, next);
                    }
                    s = next;
                }
                ends.set(s, Math.max(ends.get(s), p.length));
                longest = Math.max(longest, p.length);
            }
            int n = trie.size();
            keys = new int[n][];
            targets = new int[n][];
            fail = new int[n];
            depth = new int[n];
            match = new int[n];
            for (int s = 0; s < n; s++) {
                int[] k = trie.get(s).keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
                int[] t = new int[k.length];
                for (int i = 0; i < k.length; i++) {
                    t[i] = trie.get(s).get(k[i]);
                }
                keys[s] = k;
                targets[s] = t;
                depth[s] = depths.get(s);
                match[s] = ends.get(s);
            }
            // breadth first: failure links, and matches inherited along them
            int[] queue = new int[n];
            int head = 0, tail = 0;
            for (int t : targets[0]) {
                queue[tail++] = t;
            }
            while (head < tail) {
                int s = queue[head++];
                for (int i = 0; i < keys[s].length; i++) {
                    int c = keys[s][i], t = targets[s][i];
                    int f = fail[s];
                    while (f != 0 && goTo(f, c) < 0) {
                        f = fail[f];
                    }
                    int g = goTo(f, c);
                    fail[t] = g >= 0 && g != t ? g : 0;
                    match[t] = Math.max(match[t], match[fail[t]]);
                    queue[tail++] = t;
                }
            }
            maxLength = longest;
            for (int c = 0; c < 256; c++) { // most bytes are read at the root: one lookup, no search
                rootNext[c] = Math.max(goTo(0, c), 0);
            }
        }

        private int goTo(int s, int c) {
            int i = Arrays.binarySearch(keys[s], c);
            return i < 0 ? -1 : targets[s][i];
        }

        int step(int s, int c) {
            if (s == 0) {
                return rootNext[c];
            }
            while (true) {
                int t = goTo(s, c);
                if (t >= 0) {
                    return t;
                }
                s = fail[s];
                if (s == 0) {
                    return rootNext[c];
                }
            }
        }

        int depth(int s) {
            return depth[s];
        }

        int matchLength(int s) {
            return match[s];
        }

        boolean isEmpty() {
            return keys[0].length == 0;
        }
    }
}
