package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a change does to an object, for a human to review: a JSON-Patch-like list of
 * {@code add | remove | replace} at JSON pointers, with old and new values as compact JSON. Server
 * bookkeeping (managedFields, resourceVersion, generation, timestamps set by the dry run) is left out.
 * Plain Java.
 *
 * <p>{@link #full} is every change with whole values (what the full-diff view shows);
 * {@link #between} / {@link #shown} is the bounded view kept on the request, and every cut in it is
 * marked: a value cut at {@link #MAX_VALUE} characters ends with "… (N more characters)", and when
 * more than {@link #MAX_ENTRIES} changes exist the last entry is op {@value #MORE} saying how many
 * are not shown — an approver never mistakes a cut list for the whole change.
 */
public final class ObjectDiff {

    /** @param old the value before (compact JSON), null for {@code add}; {@code value} null for {@code remove} */
    public record Entry(String op, String path, String old, String value) {
    }

    /** The op of the entry that says how many changes the bounded view leaves out. */
    public static final String MORE = "more";

    static final int MAX_ENTRIES = 100;
    static final int MAX_VALUE = 300;

    private static final Set<String> IGNORED = Set.of("/metadata/managedFields", "/metadata/resourceVersion",
            "/metadata/generation", "/metadata/creationTimestamp", "/metadata/uid", "/status");

    private ObjectDiff() {
    }

    /** The bounded, marked view of the differences from {@code before} (null: nothing) to {@code after} (null: removed). */
    public static List<Entry> between(JsonNode before, JsonNode after) {
        return shown(full(before, after));
    }

    /** Every difference, with whole values. */
    public static List<Entry> full(JsonNode before, JsonNode after) {
        List<Entry> out = new ArrayList<>();
        if (before == null && after == null) {
            return out;
        }
        if (after == null) {
            out.add(new Entry("remove", "", summary(before), null));
            return out;
        }
        walk("", before, after, out);
        return out;
    }

    /** The first {@link #MAX_ENTRIES} of {@code all} with values cut at {@link #MAX_VALUE}; every cut marked. */
    public static List<Entry> shown(List<Entry> all) {
        List<Entry> out = new ArrayList<>(Math.min(all.size(), MAX_ENTRIES) + 1);
        for (int i = 0; i < all.size() && i < MAX_ENTRIES; i++) {
            Entry e = all.get(i);
            out.add(new Entry(e.op(), e.path(), cut(e.old(), MAX_VALUE), cut(e.value(), MAX_VALUE)));
        }
        if (all.size() > MAX_ENTRIES) {
            int hidden = all.size() - MAX_ENTRIES;
            out.add(new Entry(MORE, "", null, "… " + hidden + " more change" + (hidden == 1 ? "" : "s") + " not shown"));
        }
        return out;
    }

    /** Whether the bounded view leaves something out (changes or characters of a value). */
    public static boolean truncated(List<Entry> shown) {
        return shown.stream().anyMatch(e -> MORE.equals(e.op()) || isCut(e.old()) || isCut(e.value()));
    }

    /** {@code s} cut to {@code max} characters, the cut marked with how much is left out. */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "… (" + (s.length() - max) + " more characters)";
    }

    private static boolean isCut(String s) {
        return s != null && s.endsWith(" more characters)") && s.contains("… (");
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Entry> out) {
        if (IGNORED.contains(path)) {
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
        if (a != null && b != null && a.isArray() && b.isArray()) {
            // Element by element, then what was appended or cut off: a rule added at the end of a
            // long list shows as that one rule, not as a whole new list.
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                walk(path + "/" + i, a.get(i), b.get(i), out);
            }
            return;
        }
        if (a == null && b != null) {
            out.add(new Entry("add", path, null, b.toString()));
        } else if (a != null && b == null) {
            out.add(new Entry("remove", path, a.toString(), null));
        } else if (a != null && !a.equals(b)) {
            out.add(new Entry("replace", path, a.toString(), b.toString()));
        }
    }

    private static String summary(JsonNode o) {
        JsonNode meta = o.path("metadata");
        String kind = o.path("kind").asText("object");
        String ns = meta.path("namespace").asText("");
        return kind + " " + (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText("");
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
