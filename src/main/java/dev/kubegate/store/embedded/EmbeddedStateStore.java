package dev.kubegate.store.embedded;

import dev.kubegate.k8s.Status;
import dev.kubegate.store.InMemoryStateStore;
import dev.kubegate.store.StoreUnavailableException;
import dev.kubegate.store.embedded.JournalCodec.Entry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The state of a single replica, kept in memory and persisted under a directory (by default
 * {@code <data-dir>/state}) as a snapshot plus an fsync'd journal ({@link Journal}). An operation's
 * {@code Uni} completes, and listeners hear of the change, only once the change is on disk; listeners
 * run on the journal thread. Reads answer from memory.
 *
 * <p>Expired entries are purged and the journal compacted into a new snapshot every
 * {@code maintenanceInterval} (compaction only when the journal grew past {@code compactAfterBytes}).
 */
public final class EmbeddedStateStore extends InMemoryStateStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedStateStore.class);
    static final long DEFAULT_COMPACT_AFTER_BYTES = 8L << 20;

    private final Path dir;
    private final long compactAfterBytes;
    private Journal journal;
    private ScheduledExecutorService maintenance;
    private volatile boolean closed;

    private EmbeddedStateStore(Path dir, Clock clock, long compactAfterBytes) {
        super(clock);
        this.dir = dir;
        this.compactAfterBytes = compactAfterBytes;
    }

    /**
     * Opens (or creates) the store in {@code dir}: replays its files, compacts them, starts the
     * journal thread and the periodic maintenance. Blocks: call at start-up, not on an event loop.
     *
     * @throws IOException when the directory is locked by another process or its state is damaged
     */
    public static EmbeddedStateStore open(Path dir, Clock clock, Duration maintenanceInterval) throws IOException {
        return open(dir, clock, maintenanceInterval, DEFAULT_COMPACT_AFTER_BYTES);
    }

    static EmbeddedStateStore open(Path dir, Clock clock, Duration maintenanceInterval, long compactAfterBytes) throws IOException {
        EmbeddedStateStore store = new EmbeddedStateStore(dir, clock, compactAfterBytes);
        int[] replayed = new int[1];
        store.journal = Journal.open(dir, e -> {
            store.replay(e);
            replayed[0]++;
        });
        try {
            store.journal.start(store::snapshotLines);
        } catch (IOException | RuntimeException e) {
            store.journal.close();
            throw e;
        }
        long millis = maintenanceInterval.toMillis();
        store.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kubegate-store-maintenance");
            t.setDaemon(true);
            return t;
        });
        store.maintenance.scheduleWithFixedDelay(store::maintain, millis, millis, TimeUnit.MILLISECONDS);
        LOG.infof("embedded state store in %s: %d records replayed", dir, replayed[0]);
        return store;
    }

    @Override
    public boolean available() {
        return !closed && journal.failure() == null;
    }

    @Override
    public String describe() {
        return "embedded (" + dir + ")";
    }

    /** Purges expired entries, then compacts when the journal grew large. Answers when done. */
    public CompletionStage<Void> maintain() {
        int purged = purgeExpired();
        if (purged > 0) {
            LOG.debugf("purged %d expired state entries", purged);
        }
        if (journal.journalBytes() >= compactAfterBytes) {
            return journal.compactAsync(this::snapshotLines);
        }
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Forces a compaction now (tests, and shutdown leaves a small journal). */
    CompletionStage<Void> compact() {
        return journal.compactAsync(this::snapshotLines);
    }

    /** Stops maintenance, commits what is queued, releases the directory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        journal.close();
    }

    @Override
    protected CompletionStage<Void> applied(Document d) {
        return journal.append(JournalCodec.put(d));
    }

    @Override
    protected CompletionStage<Void> deleted(String kind, String id) {
        return journal.append(JournalCodec.delete(kind, id));
    }

    @Override
    protected CompletionStage<Void> countersApplied(String key, Map<String, Long> values, Instant expiresAt) {
        return journal.append(JournalCodec.counters(key, values, expiresAt));
    }

    @Override
    protected void check() {
        if (closed) {
            throw new StoreUnavailableException("the embedded state store is closed", null);
        }
        Throwable f = journal.failure();
        if (f != null) {
            throw new StoreUnavailableException("the embedded state store cannot write its journal: " + Status.describe(f), f);
        }
    }

    private void replay(Entry e) {
        switch (e.op()) {
            case Entry.PUT -> restore(e.document());
            case Entry.DELETE -> restoreDeletion(e.kind(), e.id());
            case Entry.COUNTERS -> restoreCounters(e.counterKey(), e.counters(), e.expiresAt());
            default -> throw new IllegalStateException("unexpected record " + e.op());
        }
    }

    private List<byte[]> snapshotLines() {
        List<byte[]> lines = new ArrayList<>();
        forEachLive(d -> lines.add(JournalCodec.put(d)),
                (key, c) -> lines.add(JournalCodec.counters(key, c.values(), c.expiresAt())));
        return lines;
    }
}
