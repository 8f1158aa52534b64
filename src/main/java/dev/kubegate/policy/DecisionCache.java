package dev.kubegate.policy;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decisions of one policy generation (bundle + data), reused for calls that present the same
 * {@linkplain InputReads read parts} of the input: a decision is a function of those parts and the
 * data alone, so a hit is the decision an evaluation would return. Belongs to one generation, so a
 * bundle or data reload starts with an empty cache.
 *
 * <p>Only calls without a body or current object are cached (reads, deletes, exec...): writes are
 * rarely repeated and their objects would make large keys. A key longer than {@link #MAX_KEY_BYTES}
 * (a long query) is not cached either. Bounded: when {@code maxEntries} is reached the cache is
 * emptied and refills with what is asked now (no LRU bookkeeping on the hot path).
 */
final class DecisionCache {

    static final int MAX_KEY_BYTES = 2048;

    /** The read parts of one input, as JSON bytes. */
    record Key(byte[] bytes, int hash) {
        Key(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final InputReads reads;
    private final int maxEntries;
    private final Map<Key, PolicyDecision> decisions = new ConcurrentHashMap<>();
    private final LongAdder hits;
    private final LongAdder misses;

    /** @param hits, misses the engine's counters (they outlive generations) */
    DecisionCache(InputReads reads, int maxEntries, LongAdder hits, LongAdder misses) {
        this.reads = reads;
        this.maxEntries = reads.cacheable() ? maxEntries : 0;
        this.hits = hits;
        this.misses = misses;
    }

    /** The key of this input's decision, or null when it is not cached. */
    Key keyOf(PolicyInput input) {
        if (maxEntries <= 0 || input.object() != null || input.oldObject() != null || input.podSpecPath() != null) {
            return null;
        }
        byte[] key = input.toJson(reads.filter());
        return key.length > MAX_KEY_BYTES ? null : new Key(key);
    }

    /** The decision made for an input with this key, or null (counted as a miss). */
    PolicyDecision get(Key key) {
        PolicyDecision d = decisions.get(key);
        (d == null ? misses : hits).increment();
        return d;
    }

    void put(Key key, PolicyDecision decision) {
        if (decisions.size() >= maxEntries) {
            decisions.clear();
        }
        decisions.put(key, decision);
    }

    InputReads reads() {
        return reads;
    }

    int size() {
        return decisions.size();
    }
}
