package dev.kubegate.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Response playbooks' detection over each identity's recent calls (by session, else principal):
 * repeated denials, a burst of deletes, any touch of a protected namespace — within a sliding
 * window. A rule fires once per identity and window, so one incident gives one action. Pure and
 * synchronized (callers are event loops); memory bounded by {@code maxIdentities} × window events.
 */
public final class PlaybookRules {

    /**
     * @param window              the sliding window
     * @param maxDenials          denials within the window that fire {@code repeated-denials} (0 = off)
     * @param maxDeletes          deletes within the window that fire {@code delete-burst} (0 = off)
     * @param protectedNamespaces namespaces whose any touch fires {@code protected-namespace}
     */
    public record Settings(Duration window, int maxDenials, int maxDeletes, Set<String> protectedNamespaces) {
    }

    /** A rule that fired. */
    public record Trigger(String rule, String identity, String detail) {
    }

    private static final int MAX_IDENTITIES = 10_000;

    private final Settings settings;
    private final Map<String, State> states = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > MAX_IDENTITIES;
        }
    };

    private static final class State {
        final ArrayDeque<Instant> denials = new ArrayDeque<>();
        final ArrayDeque<Instant> deletes = new ArrayDeque<>();
        final Map<String, Instant> fired = new HashMap<>();
    }

    public PlaybookRules(Settings settings) {
        this.settings = settings;
    }

    /** One finished call; returns the rules it fires (usually none). */
    public List<Trigger> observe(String identity, Instant at, String verb, String namespace, String decision) {
        return observe(identity, at, verb, "delete".equals(verb) || "deletecollection".equals(verb), namespace, decision);
    }

    /** As above; {@code deletes}: the call deletes objects (a delete, or an Eviction, which is a {@code create}). */
    public synchronized List<Trigger> observe(String identity, Instant at, String verb, boolean deletes, String namespace,
                                              String decision) {
        if (identity == null) {
            return List.of();
        }
        State s = states.computeIfAbsent(identity, k -> new State());
        Instant from = at.minus(settings.window());
        List<Trigger> out = new ArrayList<>(1);
        if ("deny".equals(decision) && settings.maxDenials() > 0) {
            s.denials.addLast(at);
            prune(s.denials, from);
            if (s.denials.size() >= settings.maxDenials()) {
                fire(s, out, "repeated-denials", identity, at, s.denials.size() + " calls denied within " + settings.window());
            }
        }
        if (deletes && settings.maxDeletes() > 0) {
            s.deletes.addLast(at);
            prune(s.deletes, from);
            if (s.deletes.size() >= settings.maxDeletes()) {
                fire(s, out, "delete-burst", identity, at, s.deletes.size() + " deletes within " + settings.window());
            }
        }
        if (namespace != null && settings.protectedNamespaces().contains(namespace)) {
            fire(s, out, "protected-namespace", identity, at, verb + " in protected namespace " + namespace + " (" + decision + ")");
        }
        return out;
    }

    private void fire(State s, List<Trigger> out, String rule, String identity, Instant at, String detail) {
        Instant last = s.fired.get(rule);
        if (last == null || !last.isAfter(at.minus(settings.window()))) {
            s.fired.put(rule, at);
            out.add(new Trigger(rule, identity, detail));
        }
    }

    private static void prune(ArrayDeque<Instant> q, Instant from) {
        while (!q.isEmpty() && q.peekFirst().isBefore(from)) {
            q.pollFirst();
        }
        while (q.size() > 100_000) {
            q.pollFirst();
        }
    }
}
