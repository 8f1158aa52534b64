package dev.kubegate.identity;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-session call counters that policies read as {@code input.stats} (budgets: "more than N
 * deletes in a session needs approval"). Keyed by the session id, or by the principal id for
 * credentials without a session (static development tokens). In memory, so one replica's view;
 * the shared state store takes this over when sessions move there.
 */
public final class SessionCounters {

    /** A snapshot: calls before the current one. */
    public record Snapshot(long requests, long mutations, long deletes, long denied) {
    }

    private static final class Counts {
        final LongAdder requests = new LongAdder();
        final LongAdder mutations = new LongAdder();
        final LongAdder deletes = new LongAdder();
        final LongAdder denied = new LongAdder();
    }

    private final ConcurrentMap<String, Counts> bySession = new ConcurrentHashMap<>();

    public Snapshot snapshot(Principal principal) {
        Counts c = bySession.get(key(principal));
        return c == null ? new Snapshot(0, 0, 0, 0)
                : new Snapshot(c.requests.sum(), c.mutations.sum(), c.deletes.sum(), c.denied.sum());
    }

    /** Counts one decided call: {@code verb} as classified, {@code denied} if policy refused it. */
    public void record(Principal principal, String verb, boolean denied) {
        Counts c = bySession.computeIfAbsent(key(principal), k -> new Counts());
        c.requests.increment();
        switch (verb) {
            case "create", "update", "patch" -> c.mutations.increment();
            case "delete", "deletecollection" -> {
                c.mutations.increment();
                c.deletes.increment();
            }
            default -> {
            }
        }
        if (denied) {
            c.denied.increment();
        }
    }

    private static String key(Principal p) {
        return p.session().map(s -> "session:" + s.id()).orElse("principal:" + p.kind() + ":" + p.id());
    }
}
