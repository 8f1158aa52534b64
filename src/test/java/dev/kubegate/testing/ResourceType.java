package dev.kubegate.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One served resource as discovery describes it.
 *
 * @param name plural resource name ("pods"); {@code qualified()} adds the group ("deployments.apps")
 * @param subresources by name; their {@code kind} is the discovery response kind
 */
record ResourceType(String group, String version, String name, String singular, String kind, boolean namespaced,
        List<String> verbs, List<String> shortNames, List<String> categories, Map<String, Sub> subresources) {

    /** A subresource; {@code group} is set when its response kind lives in another group (Scale). */
    record Sub(String name, String group, String kind, List<String> verbs) {
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    String qualified() {
        return group.isEmpty() ? name : name + "." + group;
    }

    boolean allows(String verb) {
        return verbs.contains(verb);
    }

    boolean hasStatus() {
        return subresources.containsKey("status");
    }

    String listKind() {
        return kind + "List";
    }

    static ResourceType of(String group, String name, String kind, boolean namespaced, List<String> verbs,
            List<String> shortNames, List<String> categories, Sub... subs) {
        Map<String, Sub> m = new LinkedHashMap<>();
        for (Sub s : subs) {
            m.put(s.name(), s);
        }
        return new ResourceType(group, "v1", name, kind.toLowerCase(), kind, namespaced, verbs, shortNames, categories, m);
    }
}
