package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a change does to an object, for a human to review: a JSON-Patch-like list of
 * {@code add | remove | replace} at JSON pointers, with old and new values as compact JSON cut to a
 * readable length. Server bookkeeping (managedFields, resourceVersion, generation, timestamps set by
 * the dry run) is left out. Bounded in entries and value length. Plain Java.
 */
public final class ObjectDiff {

    /** @param old the value before (compact JSON), null for {@code add}; {@code value} null for {@code remove} */
    public record Entry(String op, String path, String old, String value) {
    }

    static final int MAX_ENTRIES = 100;
    static final int MAX_VALUE = 300;

    private static final Set<String> IGNORED = Set.of("/metadata/managedFields", "/metadata/resourceVersion",
            "/metadata/generation", "/metadata/creationTimestamp", "/metadata/uid", "/status");

    private ObjectDiff() {
    }

    /** Differences from {@code before} (null: nothing) to {@code after} (null: removed). */
    public static List<Entry> between(JsonNode before, JsonNode after) {
        List<Entry> out = new ArrayList<>();
        if (before == null && after == null) {
            return out;
        }
        if (after == null) {
            out.add(new Entry("remove", "", summary(before), null));
            return out;
        }
        if (before == null) {
            walk("", null, after, out);
            return out;
        }
        walk("", before, after, out);
        return out;
    }

    /** Whether the list was cut at {@link #MAX_ENTRIES}. */
    public static boolean truncated(List<Entry> entries) {
        return entries.size() >= MAX_ENTRIES;
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Entry> out) {
        if (out.size() >= MAX_ENTRIES || IGNORED.contains(path)) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                walk(path + "/" + escape(k), a.get(k), b.get(k), out);
            }
            return;
        }
        if (a == null && b != null && b.isObject() && path.isEmpty()) {
            // A new object: one entry per top-level field reads better than one huge value.
            for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                walk("/" + escape(k), null, b.get(k), out);
            }
            return;
        }
        if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                walk(path + "/" + i, a.get(i), b.get(i), out);
            }
            return;
        }
        if (a == null && b != null) {
            out.add(new Entry("add", path, null, compact(b)));
        } else if (a != null && b == null) {
            out.add(new Entry("remove", path, compact(a), null));
        } else if (a != null && !a.equals(b)) {
            out.add(new Entry("replace", path, compact(a), compact(b)));
        }
    }

    private static String summary(JsonNode o) {
        JsonNode meta = o.path("metadata");
        String kind = o.path("kind").asText("object");
        String ns = meta.path("namespace").asText("");
        return kind + " " + (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText("");
    }

    static String compact(JsonNode n) {
        String s = n.toString();
        return s.length() <= MAX_VALUE ? s : s.substring(0, MAX_VALUE) + "…";
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
