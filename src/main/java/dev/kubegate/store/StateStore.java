package dev.kubegate.store;

import io.smallrye.mutiny.Uni;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The state every replica shares: sessions, revocations, suspensions, approvals, counters. Modelled
 * on what the API server does with etcd — small versioned JSON documents addressed by
 * {@code (kind, id)}, updated by compare-and-set, with a change feed — so each feature owns its own
 * record types and the store knows none of them.
 *
 * <p>Contract:
 * <ul>
 *   <li>Every operation is asynchronous and never blocks the caller; implementations do their I/O on
 *       their own threads or with a reactive client.</li>
 *   <li>A {@code Uni} fails with {@link StoreUnavailableException} when the backing store cannot
 *       answer (callers fail closed) and with {@link StoreConflictException} when a create finds the
 *       id taken or an update finds another version.</li>
 *   <li>Documents past {@code expiresAt} are invisible to {@link #get}/{@link #list} and removed
 *       eventually.</li>
 *   <li>{@link #subscribe} delivers every change made by any replica, this one included, within about
 *       a second; listeners are called on a store thread and must not block. After a reconnect the
 *       store delivers {@link Change#resync()} so listeners reload what they cache.</li>
 *   <li>Operations run when their {@code Uni} is subscribed (like any {@code Uni}); a write's
 *       {@code Uni} completes once the change is durable.</li>
 *   <li>Kinds are at most {@value #MAX_KIND_BYTES} and ids at most {@value #MAX_ID_BYTES} bytes of
 *       UTF-8 (a change notification must fit a PostgreSQL NOTIFY payload); longer ones are refused
 *       with {@link IllegalArgumentException} on create.</li>
 * </ul>
 */
public interface StateStore {

    int MAX_KIND_BYTES = 128;
    int MAX_ID_BYTES = 2048;

    /** A stored document. {@code json} is the owner's serialized record; {@code version} starts at 1. */
    record Document(String kind, String id, long version, String json, Instant updatedAt, Instant expiresAt) {
    }

    /**
     * A change seen on the feed. {@code version} is 0 when the document was deleted. A change with
     * {@code kind == null} is a resync: state may have changed while the feed was down.
     */
    record Change(String kind, String id, long version) {

        public static final Change RESYNC = new Change(null, null, 0);

        public boolean resync() {
            return kind == null;
        }

        public boolean deleted() {
            return version == 0;
        }
    }

    Uni<Optional<Document>> get(String kind, String id);

    /** All unexpired documents of a kind, in no particular order. */
    Uni<List<Document>> list(String kind);

    /** Creates version 1; fails with {@link StoreConflictException} when the id exists (and has not expired). */
    Uni<Document> create(String kind, String id, String json, Instant expiresAt);

    /** Replaces the document when its version is still {@code expectedVersion}; otherwise a conflict. */
    Uni<Document> update(String kind, String id, long expectedVersion, String json, Instant expiresAt);

    /** Removes the document; true when there was one. */
    Uni<Boolean> delete(String kind, String id);

    /**
     * Adds {@code deltas} to the named counters of {@code key} (created at zero) and answers the totals
     * after the addition. The key expires at {@code expiresAt} (extended by later additions).
     */
    Uni<Map<String, Long>> addCounters(String key, Map<String, Long> deltas, Instant expiresAt);

    /** The counters of {@code key}; empty when none. */
    Uni<Map<String, Long>> counters(String key);

    /** Registers a change listener; closing the handle unregisters it. */
    AutoCloseable subscribe(Consumer<Change> listener);

    /** False while the backing store is unreachable (readiness turns unready, callers fail closed). */
    boolean available();

    /**
     * How stale this replica's view of shared state may be: the time since the change feed last proved
     * it delivers other replicas' changes (a notification, a heartbeat answer, a LISTEN). Zero for a
     * store without a feed (in-memory, embedded: one replica sees its own writes at once).
     */
    default java.time.Duration lag() {
        return java.time.Duration.ZERO;
    }

    /** For logs and the status endpoint, e.g. "embedded (data/state)" or "postgres (db:5432/kubegate)". */
    String describe();

    /** Refuses kinds and ids the stores cannot carry (see the interface's contract). */
    static void requireValidKey(String kind, String id) {
        if (kind == null || kind.isEmpty() || kind.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_KIND_BYTES) {
            throw new IllegalArgumentException("state store kind must be 1 to " + MAX_KIND_BYTES + " bytes");
        }
        if (id == null || id.isEmpty() || id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("state store id must be 1 to " + MAX_ID_BYTES + " bytes");
        }
    }
}
