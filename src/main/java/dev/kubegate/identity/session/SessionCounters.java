package dev.kubegate.identity.session;

import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-session call counters that policies read as {@code input.stats} (budgets: "more than N
 * deletes in a session needs approval"), shared by all replicas through the state store
 * ({@code addCounters} under {@code session:<id>}).
 *
 * <p>No store call per request: a call adds to local deltas; {@link #flush()} (every second, and at
 * shutdown) sends each session's deltas in one {@code addCounters} and keeps the totals it answers.
 * A snapshot is those last-known totals plus the deltas not yet flushed, so it includes this
 * replica's calls at once and other replicas' within about a second. A session new to this replica
 * starts from the store's totals, loaded in the background on its first call.
 */
public final class SessionCounters {

    private static final Logger LOG = Logger.getLogger(SessionCounters.class);
    static final List<String> NAMES = List.of("requests", "mutations", "deletes", "denied");
    /** Counters of callers without a session (none today; kept for safety) live this long. */
    private static final Duration NO_SESSION_TTL = Duration.ofHours(24);

    /** A snapshot: calls before the current one. */
    public record Snapshot(long requests, long mutations, long deletes, long denied) {
    }

    private static final class Entry {
        final LongAdder requests = new LongAdder();
        final LongAdder mutations = new LongAdder();
        final LongAdder deletes = new LongAdder();
        final LongAdder denied = new LongAdder();
        /** Totals the store last answered (all replicas), and deltas sent but not yet answered. */
        volatile Map<String, Long> totals = Map.of();
        volatile Map<String, Long> inFlight = Map.of();
        volatile Instant expiresAt;
        volatile boolean loaded;

        long get(String name, LongAdder local) {
            return totals.getOrDefault(name, 0L) + inFlight.getOrDefault(name, 0L) + local.sum();
        }
    }

    private final StateStore store;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    public SessionCounters(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public static String sessionKey(String sessionId) {
        return "session:" + sessionId;
    }

    public Snapshot snapshot(Principal principal) {
        Entry e = entries.get(key(principal));
        return e == null ? new Snapshot(0, 0, 0, 0)
                : new Snapshot(e.get("requests", e.requests), e.get("mutations", e.mutations),
                e.get("deletes", e.deletes), e.get("denied", e.denied));
    }

    /** Counts one decided call as classified, {@code denied} if policy refused it. */
    public void record(Principal principal, RequestInfo info, boolean denied) {
        record(principal, info.verb(), info.isEviction(), denied);
    }

    /** Counts one decided call of {@code verb} (on no subresource that deletes). */
    public void record(Principal principal, String verb, boolean denied) {
        record(principal, verb, false, denied);
    }

    private void record(Principal principal, String verb, boolean deletes, boolean denied) {
        Entry e = entry(principal);
        e.requests.increment();
        switch (verb) {
            case "create", "update", "patch" -> {
                e.mutations.increment();
                if (deletes) {
                    e.deletes.increment();
                }
            }
            case "delete", "deletecollection" -> {
                e.mutations.increment();
                e.deletes.increment();
            }
            default -> {
            }
        }
        if (denied) {
            e.denied.increment();
        }
    }

    private Entry entry(Principal principal) {
        String key = key(principal);
        Entry e = entries.get(key);
        if (e != null) {
            return e;
        }
        Entry fresh = new Entry();
        fresh.expiresAt = principal.session().map(Principal.Session::expiresAt)
                .orElseGet(() -> clock.instant().plus(NO_SESSION_TTL));
        e = entries.putIfAbsent(key, fresh);
        if (e != null) {
            return e;
        }
        // Another replica may have counted this session already: start from its totals.
        store.counters(key).subscribe().with(t -> {
            if (!fresh.loaded) {
                fresh.totals = Map.copyOf(t);
                fresh.loaded = true;
            }
        }, err -> LOG.debugf("cannot load counters of %s: %s", key, err.getMessage()));
        return fresh;
    }

    /** Sends every entry's unflushed deltas; completes when all have been answered (or failed). */
    public Uni<Void> flush() {
        Instant now = clock.instant();
        List<Uni<Void>> sends = new ArrayList<>();
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (!e.inFlight.isEmpty()) {
                continue; // the previous flush of this entry is still out
            }
            // Deltas move to inFlight before the local adders drop them: a snapshot in between counts
            // them twice (errs towards the budget), never zero times.
            Map<String, Long> deltas = new HashMap<>();
            peek(deltas, "requests", e.requests);
            peek(deltas, "mutations", e.mutations);
            peek(deltas, "deletes", e.deletes);
            peek(deltas, "denied", e.denied);
            if (deltas.isEmpty()) {
                if (!e.expiresAt.isAfter(now)) {
                    entries.remove(me.getKey(), e);
                }
                continue;
            }
            e.inFlight = Map.copyOf(deltas);
            e.requests.add(-deltas.getOrDefault("requests", 0L));
            e.mutations.add(-deltas.getOrDefault("mutations", 0L));
            e.deletes.add(-deltas.getOrDefault("deletes", 0L));
            e.denied.add(-deltas.getOrDefault("denied", 0L));
            sends.add(store.addCounters(me.getKey(), deltas, e.expiresAt.plus(Duration.ofMinutes(5)))
                    .invoke(totals -> {
                        e.totals = Map.copyOf(totals);
                        e.loaded = true;
                        e.inFlight = Map.of();
                    })
                    .onFailure().invoke(err -> {
                        // Put the deltas back: they go with the next flush.
                        e.requests.add(deltas.getOrDefault("requests", 0L));
                        e.mutations.add(deltas.getOrDefault("mutations", 0L));
                        e.deletes.add(deltas.getOrDefault("deletes", 0L));
                        e.denied.add(deltas.getOrDefault("denied", 0L));
                        e.inFlight = Map.of();
                        LOG.debugf("cannot flush counters of %s: %s", me.getKey(), err.getMessage());
                    })
                    .replaceWithVoid()
                    .onFailure().recoverWithItem((Void) null));
        }
        return sends.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
    }

    private static void peek(Map<String, Long> deltas, String name, LongAdder a) {
        long n = a.sum();
        if (n != 0) {
            deltas.put(name, n);
        }
    }

    int size() {
        return entries.size();
    }

    private static String key(Principal p) {
        return p.session().map(s -> sessionKey(s.id())).orElse("principal:" + p.kind() + ":" + p.id());
    }
}
