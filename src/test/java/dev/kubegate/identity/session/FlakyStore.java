package dev.kubegate.identity.session;

import dev.kubegate.store.InMemoryStateStore;
import dev.kubegate.store.StoreUnavailableException;
import io.smallrye.mutiny.Uni;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An in-memory store that can be "down": every call fails and available() is false. */
final class FlakyStore extends InMemoryStateStore {

    volatile boolean down;
    volatile boolean mute;

    FlakyStore(Clock clock) {
        super(clock);
    }

    private <T> Uni<T> guard(Uni<T> u) {
        return down ? Uni.createFrom().failure(new StoreUnavailableException("test: store down", null)) : u;
    }

    @Override
    public Uni<Optional<Document>> get(String kind, String id) {
        return down ? guard(null) : super.get(kind, id);
    }

    @Override
    public Uni<List<Document>> list(String kind) {
        return down ? guard(null) : super.list(kind);
    }

    @Override
    public Uni<Document> create(String kind, String id, String json, Instant expiresAt) {
        return down ? guard(null) : super.create(kind, id, json, expiresAt);
    }

    @Override
    public Uni<Document> update(String kind, String id, long expectedVersion, String json, Instant expiresAt) {
        return down ? guard(null) : super.update(kind, id, expectedVersion, json, expiresAt);
    }

    @Override
    public Uni<Map<String, Long>> addCounters(String key, Map<String, Long> deltas, Instant expiresAt) {
        return down ? guard(null) : super.addCounters(key, deltas, expiresAt);
    }

    @Override
    public boolean available() {
        return !down;
    }

    void resync() {
        super.notify(Change.RESYNC);
    }

    @Override
    protected void notify(Change change) {
        if (!mute) super.notify(change);
    }
}
