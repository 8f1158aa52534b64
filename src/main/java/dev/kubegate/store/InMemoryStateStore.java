package dev.kubegate.store;

import io.smallrye.mutiny.Uni;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The state of one replica in memory: the base of the embedded store, and a store for tests.
 * Operations are short critical sections on one lock. A subclass persists each change in the hooks
 * ({@link #applied}, {@link #deleted}, {@link #countersApplied}); the operation's {@code Uni}
 * completes, and listeners hear of the change, once the hook's stage completes. Like every
 * {@code Uni}, an operation runs when subscribed.
 */
public class InMemoryStateStore implements StateStore {

    private record Key(String kind, String id) {
    }

    /** The counters of one key with the key's expiry; {@code expiresAt} null means never. */
    protected record CounterSet(Map<String, Long> values, Instant expiresAt) {
    }

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    protected final Clock clock;
    private final Map<Key, Document> documents = new HashMap<>();
    private final Map<String, CounterSet> counters = new HashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    public InMemoryStateStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Document>> get(String kind, String id) {
        return Uni.createFrom().item(() -> {
            check();
            synchronized (this) {
                return Optional.ofNullable(live(new Key(kind, id)));
            }
        });
    }

    @Override
    public Uni<List<Document>> list(String kind) {
        return Uni.createFrom().item(() -> {
            check();
            Instant now = clock.instant();
            List<Document> out = new ArrayList<>();
            synchronized (this) {
                for (Document d : documents.values()) {
                    if (d.kind().equals(kind) && !expired(d.expiresAt(), now)) {
                        out.add(d);
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Uni<Document> create(String kind, String id, String json, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            check();
            StateStore.requireValidKey(kind, id);
            Document d;
            CompletionStage<Void> durable;
            synchronized (this) {
                Key key = new Key(kind, id);
                if (live(key) != null) {
                    return Uni.createFrom().failure(new StoreConflictException(kind, id));
                }
                d = new Document(kind, id, 1, json, clock.instant(), expiresAt);
                documents.put(key, d);
                durable = applied(d);
            }
            return committed(durable, new Change(kind, id, d.version()), d);
        });
    }

    @Override
    public Uni<Document> update(String kind, String id, long expectedVersion, String json, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            check();
            Document d;
            CompletionStage<Void> durable;
            synchronized (this) {
                Key key = new Key(kind, id);
                Document current = live(key);
                if (current == null || current.version() != expectedVersion) {
                    return Uni.createFrom().failure(new StoreConflictException(kind, id));
                }
                d = new Document(kind, id, expectedVersion + 1, json, clock.instant(), expiresAt);
                documents.put(key, d);
                durable = applied(d);
            }
            return committed(durable, new Change(kind, id, d.version()), d);
        });
    }

    @Override
    public Uni<Boolean> delete(String kind, String id) {
        return Uni.createFrom().deferred(() -> {
            check();
            CompletionStage<Void> durable;
            synchronized (this) {
                Key key = new Key(kind, id);
                boolean wasLive = live(key) != null;
                if (documents.remove(key) == null) {
                    return Uni.createFrom().item(false);
                }
                durable = deleted(kind, id);
                if (!wasLive) {
                    // An expired leftover: removed quietly, as the purge would have.
                    return Uni.createFrom().completionStage(durable).replaceWith(false);
                }
            }
            return committed(durable, new Change(kind, id, 0), true);
        });
    }

    @Override
    public Uni<Map<String, Long>> addCounters(String key, Map<String, Long> deltas, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            check();
            Map<String, Long> totals;
            CompletionStage<Void> durable;
            synchronized (this) {
                CounterSet current = counters.get(key);
                boolean fresh = current == null || expired(current.expiresAt(), clock.instant());
                Map<String, Long> values = fresh ? new HashMap<>() : new HashMap<>(current.values());
                deltas.forEach((name, delta) -> values.merge(name, delta, Long::sum));
                Instant until = fresh || expiresAt == null || current.expiresAt() == null
                        || expiresAt.isAfter(current.expiresAt()) ? expiresAt : current.expiresAt();
                totals = Map.copyOf(values);
                counters.put(key, new CounterSet(totals, until));
                durable = countersApplied(key, totals, until);
            }
            return Uni.createFrom().completionStage(durable).replaceWith(totals);
        });
    }

    @Override
    public Uni<Map<String, Long>> counters(String key) {
        return Uni.createFrom().item(() -> {
            check();
            synchronized (this) {
                CounterSet c = counters.get(key);
                return c == null || expired(c.expiresAt(), clock.instant()) ? Map.<String, Long>of() : c.values();
            }
        });
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

    /** Drops expired documents and counters (quietly: they were already invisible); answers how many. */
    public synchronized int purgeExpired() {
        Instant now = clock.instant();
        int before = documents.size() + counters.size();
        documents.values().removeIf(d -> expired(d.expiresAt(), now));
        counters.values().removeIf(c -> expired(c.expiresAt(), now));
        return before - documents.size() - counters.size();
    }

    /** Hook for persistence: called under the lock after a document was stored; completes when durable. */
    protected CompletionStage<Void> applied(Document d) {
        return DONE;
    }

    /** Hook for persistence: called under the lock after a document was removed; completes when durable. */
    protected CompletionStage<Void> deleted(String kind, String id) {
        return DONE;
    }

    /** Hook for persistence: called under the lock after counters changed; completes when durable. */
    protected CompletionStage<Void> countersApplied(String key, Map<String, Long> values, Instant expiresAt) {
        return DONE;
    }

    /** Throws {@link StoreUnavailableException} when the store can no longer accept operations. */
    protected void check() {
    }

    /** Loads a document without hooks or notifications (restoring persisted state). */
    protected synchronized void restore(Document d) {
        documents.put(new Key(d.kind(), d.id()), d);
    }

    /** Removes a document without hooks or notifications (restoring persisted state). */
    protected synchronized void restoreDeletion(String kind, String id) {
        documents.remove(new Key(kind, id));
    }

    /** Loads counters without hooks (restoring persisted state). */
    protected synchronized void restoreCounters(String key, Map<String, Long> values, Instant expiresAt) {
        counters.put(key, new CounterSet(Map.copyOf(values), expiresAt));
    }

    /** Visits the unexpired state under the lock (for a consistent snapshot); the visitors must not block. */
    protected synchronized void forEachLive(Consumer<Document> docs, BiConsumer<String, CounterSet> counterSets) {
        Instant now = clock.instant();
        documents.values().stream().filter(d -> !expired(d.expiresAt(), now)).forEach(docs);
        counters.forEach((k, c) -> {
            if (!expired(c.expiresAt(), now)) {
                counterSets.accept(k, c);
            }
        });
    }

    protected void notify(Change change) {
        for (Consumer<Change> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                // One failing listener must not starve the others of changes.
                System.getLogger(InMemoryStateStore.class.getName())
                        .log(System.Logger.Level.WARNING, "state store listener failed on " + change, e);
            }
        }
    }

    private <T> Uni<T> committed(CompletionStage<Void> durable, Change change, T result) {
        return Uni.createFrom().completionStage(durable.thenApply(v -> {
            notify(change);
            return result;
        }));
    }

    private Document live(Key key) {
        Document d = documents.get(key);
        return d == null || expired(d.expiresAt(), clock.instant()) ? null : d;
    }

    protected static boolean expired(Instant expiresAt, Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
