package dev.kubegate.identity.session;

import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's picture of the shared session state: sessions (revoked or not, last activity) and
 * suspended identities, kept current from the store's change feed so a request's checks are map
 * lookups. After {@link StateStore.Change#RESYNC} it reloads everything.
 *
 * <p>Fail closed: while the store is unavailable, or a reload is pending, the view may miss a
 * revocation. Once that has lasted longer than {@code maxStaleness}, {@link #check} answers
 * {@link Check#STALE} and the caller refuses with 503.
 */
public final class SessionView {

    private static final Logger LOG = Logger.getLogger(SessionView.class);

    /** The outcome of the per-request check. */
    public enum Check { OK, REVOKED, SUSPENDED, IDLE, STALE }

    private final StateStore store;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Duration maxStaleness;

    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final Map<String, Suspension> suspended = new ConcurrentHashMap<>();
    /** Last request seen here, per session (epoch millis); written to the store now and then for idle checks. */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    /** Changes that arrived while a reload ran: fetched again after it, so none is lost to the swap. */
    private final Set<String> changedDuringReload = ConcurrentHashMap.newKeySet();

    private volatile Instant staleSince;
    private volatile boolean reloading;
    private AutoCloseable subscription;

    public SessionView(StateStore store, Clock clock, Duration idleTimeout, Duration maxStaleness) {
        this.store = store;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        this.maxStaleness = maxStaleness;
    }

    /** Subscribes to the change feed and loads the current state. */
    public Uni<Void> start() {
        subscription = store.subscribe(this::onChange);
        return reload();
    }

    public void stop() {
        try {
            if (subscription != null) subscription.close();
        } catch (Exception e) {
            LOG.debug("closing the change subscription", e);
        }
    }

    /** The per-request check of a verified token's session and principal. No I/O. */
    public Check check(String sessionId, String principalName) {
        Instant now = clock.instant();
        Instant stale = staleSince;
        if (stale != null && Duration.between(stale, now).compareTo(maxStaleness) > 0) {
            return Check.STALE;
        }
        if (suspended.containsKey(principalName)) {
            return Check.SUSPENDED;
        }
        SessionRecord s = sessions.get(sessionId);
        if (s != null && s.revoked()) {
            return Check.REVOKED;
        }
        // Implicit sessions have no idle timeout: the credential itself is presented with every call,
        // and an idle refusal would lock it out until its window ends.
        if (!idleTimeout.isZero() && s != null && !s.implicit()) {
            long last = Math.max(s.createdAt().toEpochMilli(), s.lastActiveAt() == null ? 0 : s.lastActiveAt().toEpochMilli());
            last = Math.max(last, lastSeen.getOrDefault(sessionId, 0L));
            if (now.toEpochMilli() - last > idleTimeout.toMillis()) {
                return Check.IDLE;
            }
        }
        return Check.OK;
    }

    /** Notes a request of the session; answers whether the store's lastActiveAt is due for an update. */
    public boolean touch(String sessionId) {
        long now = clock.millis();
        lastSeen.put(sessionId, now);
        if (idleTimeout.isZero()) {
            return false;
        }
        SessionRecord s = sessions.get(sessionId);
        if (s == null) {
            return false;
        }
        long stored = s.lastActiveAt() == null ? s.createdAt().toEpochMilli() : s.lastActiveAt().toEpochMilli();
        return now - stored > idleTimeout.toMillis() / 4;
    }

    /** Persists this replica's last activity of a session, so other replicas' idle checks see it. */
    public Uni<Void> publishActivity(String sessionId) {
        Long seen = lastSeen.get(sessionId);
        if (seen == null) {
            return Uni.createFrom().voidItem();
        }
        return store.get(SessionRecord.KIND, sessionId).flatMap(doc -> {
            if (doc.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            SessionRecord s = Json.read(doc.get().json(), SessionRecord.class);
            if (s.lastActiveAt() != null && s.lastActiveAt().toEpochMilli() >= seen) {
                return Uni.createFrom().voidItem();
            }
            SessionRecord next = s.activeAt(Instant.ofEpochMilli(seen));
            sessions.put(sessionId, next);
            return store.update(SessionRecord.KIND, sessionId, doc.get().version(), Json.write(next), doc.get().expiresAt())
                    .replaceWithVoid();
        }).onFailure().recoverWithItem(e -> {
            LOG.debugf("could not record the activity of session %s: %s", sessionId, e.getMessage());
            return null;
        });
    }

    public boolean isSuspended(String principalName) {
        return suspended.containsKey(principalName);
    }

    public SessionRecord session(String id) {
        return sessions.get(id);
    }

    /** A record this replica just wrote: visible at once, before the feed brings it. */
    void put(SessionRecord s) {
        sessions.put(s.id(), s);
    }

    void putSuspension(Suspension s) {
        suspended.put(s.name(), s);
    }

    void removeSuspension(String name) {
        suspended.remove(name);
    }

    /** Drops expired sessions and stale activity marks. */
    public void purge() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
        lastSeen.keySet().removeIf(id -> !sessions.containsKey(id));
    }

    /**
     * Follows the store's availability (called every ~200 ms): an unavailable store makes the view
     * stale from that moment on; when it is back, a reload makes it fresh again.
     */
    public void poll() {
        if (!store.available()) {
            if (staleSince == null) {
                staleSince = clock.instant();
                LOG.warnf("the state store (%s) is unavailable: session checks fail closed after %s", store.describe(), maxStaleness);
            }
        } else if (staleSince != null && !reloading) {
            reload().subscribe().with(v -> { }, e -> { });
        }
    }

    void onChange(StateStore.Change change) {
        if (change.resync()) {
            if (staleSince == null) {
                staleSince = clock.instant();
            }
            reload().subscribe().with(v -> { }, e -> { });
            return;
        }
        if (!SessionRecord.KIND.equals(change.kind()) && !Suspension.KIND.equals(change.kind())) {
            return;
        }
        if (reloading) {
            changedDuringReload.add(change.kind() + "/" + change.id());
        }
        refresh(change.kind(), change.id()).subscribe().with(v -> { }, e -> {
            // The feed said something changed and we could not read it: the view is not current.
            if (staleSince == null) staleSince = clock.instant();
            LOG.warnf("cannot read %s/%s after a change: %s; reloading", change.kind(), change.id(), e.getMessage());
            reload().subscribe().with(v -> { }, e2 -> { });
        });
    }

    private Uni<Void> refresh(String kind, String id) {
        return store.get(kind, id).invoke(doc -> {
            if (SessionRecord.KIND.equals(kind)) {
                doc.ifPresentOrElse(d -> sessions.put(id, Json.read(d.json(), SessionRecord.class)), () -> sessions.remove(id));
            } else {
                doc.ifPresentOrElse(d -> suspended.put(id, Json.read(d.json(), Suspension.class)), () -> suspended.remove(id));
            }
        }).replaceWithVoid();
    }

    /** Loads everything again; the view is fresh once it completes. */
    public synchronized Uni<Void> reload() {
        if (reloading) {
            return Uni.createFrom().voidItem();
        }
        reloading = true;
        changedDuringReload.clear();
        Instant started = clock.instant();
        return Uni.combine().all().unis(store.list(SessionRecord.KIND), store.list(Suspension.KIND)).asTuple()
                .flatMap(t -> {
                    Map<String, SessionRecord> s = new HashMap<>();
                    for (StateStore.Document d : t.getItem1()) s.put(d.id(), Json.read(d.json(), SessionRecord.class));
                    Map<String, Suspension> p = new HashMap<>();
                    for (StateStore.Document d : t.getItem2()) p.put(d.id(), Json.read(d.json(), Suspension.class));
                    sessions.keySet().retainAll(s.keySet());
                    sessions.putAll(s);
                    suspended.keySet().retainAll(p.keySet());
                    suspended.putAll(p);
                    List<String> again = List.copyOf(changedDuringReload);
                    changedDuringReload.clear();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String key : again) {
                        int slash = key.indexOf('/');
                        chain = chain.flatMap(v -> refresh(key.substring(0, slash), key.substring(slash + 1)));
                    }
                    return chain;
                })
                .invoke(() -> {
                    reloading = false;
                    if (store.available()) {
                        if (staleSince != null) {
                            LOG.infof("session view reloaded from %s (%d sessions, %d suspensions) after %d ms stale",
                                    store.describe(), sessions.size(), suspended.size(),
                                    Duration.between(staleSince, clock.instant()).toMillis());
                        }
                        staleSince = null;
                    }
                })
                .onFailure().invoke(e -> {
                    reloading = false;
                    if (staleSince == null) staleSince = started;
                    LOG.warnf("cannot load sessions from %s: %s", store.describe(), e.getMessage());
                });
    }

    public int size() {
        return sessions.size();
    }
}
