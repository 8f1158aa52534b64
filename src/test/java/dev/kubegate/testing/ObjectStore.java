package dev.kubegate.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The in-memory object store: one map per resource type, a single global resourceVersion counter
 * (as etcd's revision) and a bounded history of change events that watches replay from.
 *
 * <p>Not thread-safe: it lives on the server's event loop, like everything that touches it.
 * Stored nodes are never handed out; callers get copies.
 */
final class ObjectStore {
    /** A change. {@code previous} is the object before a MODIFIED/DELETED, for selector transitions. */
    record Event(String type, ResourceType resource, ObjectNode object, ObjectNode previous, long resourceVersion) {
    }

    private static final int HISTORY = 10_000;

    private final Map<ResourceType, TreeMap<String, ObjectNode>> objects = new HashMap<>();
    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final List<Consumer<Event>> listeners = new ArrayList<>();
    private long resourceVersion = 1;
    /** Events with a resourceVersion above this are still in the history. */
    private long compactedThrough = 1;

    long resourceVersion() {
        return resourceVersion;
    }

    static String key(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    ObjectNode get(ResourceType t, String namespace, String name) {
        ObjectNode o = map(t).get(key(t.namespaced() ? namespace : "", name));
        return o == null ? null : o.deepCopy();
    }

    boolean exists(ResourceType t, String namespace, String name) {
        return map(t).containsKey(key(t.namespaced() ? namespace : "", name));
    }

    /** Objects of a type ordered by namespace/name; namespace null means all namespaces. */
    List<ObjectNode> list(ResourceType t, String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : map(t).values()) {
            if (namespace == null || !t.namespaced() || namespace.equals(Json.text(o, "metadata.namespace"))) {
                out.add(o.deepCopy());
            }
        }
        return out;
    }

    /** Stores a new or changed object, assigning the next resourceVersion; returns a copy of what was stored. */
    ObjectNode put(ResourceType t, ObjectNode obj) {
        ObjectNode stored = obj.deepCopy();
        Json.meta(stored).put("resourceVersion", Long.toString(++resourceVersion));
        String key = key(Json.text(stored, "metadata.namespace"), Json.text(stored, "metadata.name"));
        ObjectNode previous = map(t).put(key, stored);
        emit(new Event(previous == null ? "ADDED" : "MODIFIED", t, stored, previous, resourceVersion));
        return stored.deepCopy();
    }

    /** Removes an object; the returned copy carries the deletion's resourceVersion, as in DELETED events. */
    ObjectNode remove(ResourceType t, String namespace, String name) {
        ObjectNode previous = map(t).remove(key(t.namespaced() ? namespace : "", name));
        if (previous == null) {
            return null;
        }
        ObjectNode deleted = previous.deepCopy();
        Json.meta(deleted).put("resourceVersion", Long.toString(++resourceVersion));
        emit(new Event("DELETED", t, deleted, previous, resourceVersion));
        return deleted.deepCopy();
    }

    /** Events after {@code fromResourceVersion}, or 410 Gone when the history no longer reaches back that far. */
    List<Event> eventsSince(long fromResourceVersion) {
        if (fromResourceVersion < compactedThrough) {
            throw ApiError.gone("too old resource version: " + fromResourceVersion + " (" + compactedThrough + ")");
        }
        List<Event> out = new ArrayList<>();
        for (Event e : history) {
            if (e.resourceVersion() > fromResourceVersion) {
                out.add(e);
            }
        }
        return out;
    }

    void addListener(Consumer<Event> l) {
        listeners.add(l);
    }

    void removeListener(Consumer<Event> l) {
        listeners.remove(l);
    }

    private void emit(Event e) {
        history.addLast(e);
        if (history.size() > HISTORY) {
            compactedThrough = history.removeFirst().resourceVersion();
        }
        // listeners may unregister themselves (a watch ends when its client is gone): iterate a copy
        for (Consumer<Event> l : List.copyOf(listeners)) {
            l.accept(e);
        }
    }

    private TreeMap<String, ObjectNode> map(ResourceType t) {
        return objects.computeIfAbsent(t, k -> new TreeMap<>());
    }
}
