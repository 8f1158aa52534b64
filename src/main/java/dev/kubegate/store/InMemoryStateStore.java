package dev.kubegate.store;

import io.smallrye.mutiny.Uni;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The state of one replica in memory: the base of the embedded store, and a store for tests.
 * Operations are short critical sections on one lock, so they complete on the caller's thread.
 */
public class InMemoryStateStore implements StateStore {

    private record Key(String kind, String id) {
    }

    private record CounterSet(Map<String, Long> values, Instant expiresAt) {
    }

    private final Clock clock;
    private final Map<Key, Document> documents = new HashMap<>();
    private final Map<String, CounterSet> counters = new HashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    public InMemoryStateStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Document>> get(String kind, String id) {
        synchronized (this) {
            return Uni.createFrom().item(Optional.ofNullable(live(new Key(kind, id))));
        }
    }

    @Override
    public Uni<List<Document>> list(String kind) {
        Instant now = clock.instant();
        List<Document> out = new ArrayList<>();
        synchronized (this) {
            for (Document d : documents.values()) {
                if (d.kind().equals(kind) && !expired(d.expiresAt(), now)) {
                    out.add(d);
                }
            }
        }
        return Uni.createFrom().item(out);
    }

    @Override
    public Uni<Document> create(String kind, String id, String json, Instant expiresAt) {
        Document d;
        synchronized (this) {
            Key key = new Key(kind, id);
            if (live(key) != null) {
                return Uni.createFrom().failure(new StoreConflictException(kind, id));
            }
            d = new Document(kind, id, 1, json, clock.instant(), expiresAt);
            documents.put(key, d);
            applied(d);
        }
        notify(new Change(kind, id, d.version()));
        return Uni.createFrom().item(d);
    }

    @Override
    public Uni<Document> update(String kind, String id, long expectedVersion, String json, Instant expiresAt) {
        Document d;
        synchronized (this) {
            Key key = new Key(kind, id);
            Document current = live(key);
            if (current == null || current.version() != expectedVersion) {
                return Uni.createFrom().failure(new StoreConflictException(kind, id));
            }
            d = new Document(kind, id, expectedVersion + 1, json, clock.instant(), expiresAt);
            documents.put(key, d);
            applied(d);
        }
        notify(new Change(kind, id, d.version()));
        return Uni.createFrom().item(d);
    }

    @Override
    public Uni<Boolean> delete(String kind, String id) {
        boolean removed;
        synchronized (this) {
            removed = documents.remove(new Key(kind, id)) != null;
            if (removed) {
                deleted(kind, id);
            }
        }
        if (removed) {
            notify(new Change(kind, id, 0));
        }
        return Uni.createFrom().item(removed);
    }

    @Override
    public Uni<Map<String, Long>> addCounters(String key, Map<String, Long> deltas, Instant expiresAt) {
        synchronized (this) {
            CounterSet current = counters.get(key);
            Map<String, Long> values = current == null || expired(current.expiresAt(), clock.instant())
                    ? new HashMap<>() : new HashMap<>(current.values());
            deltas.forEach((name, delta) -> values.merge(name, delta, Long::sum));
            Instant until = current == null || expiresAt == null || current.expiresAt() == null
                    || expiresAt.isAfter(current.expiresAt()) ? expiresAt : current.expiresAt();
            counters.put(key, new CounterSet(Map.copyOf(values), until));
            countersApplied(key, values, until);
            return Uni.createFrom().item(Map.copyOf(values));
        }
    }

    @Override
    public Uni<Map<String, Long>> counters(String key) {
        synchronized (this) {
            CounterSet c = counters.get(key);
            return Uni.createFrom().item(c == null || expired(c.expiresAt(), clock.instant()) ? Map.of() : c.values());
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<Change> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    /** Drops expired documents and counters; the embedded store calls this periodically. */
    public synchronized int purgeExpired() {
        Instant now = clock.instant();
        int before = documents.size() + counters.size();
        documents.values().removeIf(d -> expired(d.expiresAt(), now));
        counters.values().removeIf(c -> expired(c.expiresAt(), now));
        return before - documents.size() - counters.size();
    }

    /** Hook for persistence: called under the lock after a document was stored. */
    protected void applied(Document d) {
    }

    /** Hook for persistence: called under the lock after a document was removed. */
    protected void deleted(String kind, String id) {
    }

    /** Hook for persistence: called under the lock after counters changed. */
    protected void countersApplied(String key, Map<String, Long> values, Instant expiresAt) {
    }

    protected void notify(Change change) {
        for (Consumer<Change> l : listeners) {
            l.accept(change);
        }
    }

    private Document live(Key key) {
        Document d = documents.get(key);
        return d == null || expired(d.expiresAt(), clock.instant()) ? null : d;
    }

    private static boolean expired(Instant expiresAt, Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
