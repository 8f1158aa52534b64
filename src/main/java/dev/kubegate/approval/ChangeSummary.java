package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a change means, read before the field-by-field diff: the permissions an RBAC object or
 * binding grants (with the rules of the role a binding refers to), the privilege-relevant fields of
 * a pod template, images, replicas, admission webhooks' rules and deletes. Each item carries flags
 * naming why it is dangerous ({@code *}, {@code escalate}, {@code bind}, {@code impersonate}, secrets,
 * {@code cluster-admin}, privileged, host namespaces …); flagged items come first, so a wildcard rule
 * at the end of a long list is the first thing an approver reads. Bounded at {@link #MAX_ITEMS}, the
 * cut marked. Pure: the gate resolves a binding's role and hands it in.
 */
public final class ChangeSummary {

    /**
     * One line for the approver.
     *
     * @param topic what it is about: {@code rbac-rule}, {@code subjects}, {@code granted-rule}, {@code pod},
     *              {@code image}, {@code replicas}, {@code webhook}, {@code delete}, {@code more}
     * @param text  readable sentence
     * @param flags why it is dangerous; empty when it is information only
     */
    public record Item(String topic, String text, List<String> flags) {
        public Item {
            flags = flags == null ? List.of() : List.copyOf(flags);
        }
    }

    /**
     * The role a binding refers to, as resolved with kubegate's own identity.
     *
     * @param role  the Role or ClusterRole object, or null when it could not be read
     * @param error why it could not be read (null when it was)
     */
    public record ResolvedRole(String kind, String namespace, String name, JsonNode role, String error) {
    }

    static final int MAX_ITEMS = 60;

    private static final Set<String> BINDINGS = Set.of("RoleBinding", "ClusterRoleBinding");
    private static final Set<String> ROLES = Set.of("Role", "ClusterRole");
    private static final Set<String> WEBHOOKS = Set.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration");
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch", "*");

    private ChangeSummary() {
    }

    /** Which role a binding in {@code after} (or {@code before}, for a delete) refers to; null when it is no binding. */
    public static ResolvedRole roleToResolve(JsonNode before, JsonNode after) {
        JsonNode o = after != null ? after : before;
        if (o == null || !BINDINGS.contains(o.path("kind").asText())) {
            return null;
        }
        JsonNode ref = o.path("roleRef");
        String kind = ref.path("kind").asText("");
        String name = ref.path("name").asText("");
        if (!ROLES.contains(kind) || name.isEmpty()) {
            return null;
        }
        String ns = "Role".equals(kind) ? o.path("metadata").path("namespace").asText("") : "";
        return new ResolvedRole(kind, ns, name, null, null);
    }

    /**
     * The summary of {@code verb} taking {@code before} (null: created) to {@code after} (null:
     * deleted). {@code role} is the binding's resolved role, or null.
     */
    public static List<Item> of(String verb, JsonNode before, JsonNode after, ResolvedRole role) {
        List<Item> items = new ArrayList<>();
        JsonNode o = after != null ? after : before;
        if (o == null) {
            return items;
        }
        String kind = o.path("kind").asText("");
        if (after == null) {
            delete(o, items);
        }
        if (ROLES.contains(kind)) {
            rules(before, after, items);
        } else if (BINDINGS.contains(kind)) {
            binding(before, after, role, items);
        } else if (WEBHOOKS.contains(kind)) {
            webhooks(before, after, items);
        }
        if (after != null) {
            workload(before, after, items);
        }
        return bounded(items);
    }

    /** Flagged items first (in their order), then the rest; cut at {@link #MAX_ITEMS} with a marked remainder. */
    static List<Item> bounded(List<Item> items) {
        List<Item> sorted = new ArrayList<>(items.size());
        items.stream().filter(i -> !i.flags().isEmpty()).forEach(sorted::add);
        items.stream().filter(i -> i.flags().isEmpty()).forEach(sorted::add);
        if (sorted.size() <= MAX_ITEMS) {
            return sorted;
        }
        int hidden = sorted.size() - (MAX_ITEMS - 1);
        List<Item> out = new ArrayList<>(sorted.subList(0, MAX_ITEMS - 1));
        out.add(new Item("more", "… " + hidden + " more items not shown here (see the full diff)", List.of()));
        return out;
    }

    /** A delete of many objects at once: what, where, and that how many is only known when it runs. */
    public static List<Item> deleteCollection(String resource, String namespace, String selector) {
        return List.of(new Item("delete", "deletes every " + resource + (namespace.isEmpty() ? " in every namespace" : " in namespace " + namespace)
                + (selector.isEmpty() ? " (no selector: all of them)" : " matching " + selector)
                + "; how many is known only when it runs", List.of("delete", "collection")));
    }

    // --- deletes ---------------------------------------------------------------------------------

    private static void delete(JsonNode o, List<Item> items) {
        String kind = o.path("kind").asText("object");
        String what = kind + " " + name(o);
        String extra = switch (kind) {
            case "Namespace" -> " and every object in it";
            case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController" ->
                    " and its " + o.path("spec").path("replicas").asInt(1) + " replica(s)";
            case "DaemonSet" -> " and its pod on every node it runs on";
            case "CustomResourceDefinition" -> " and every object of that type";
            case "PersistentVolumeClaim", "PersistentVolume" -> " (the data may be deleted with it)";
            default -> "";
        };
        items.add(new Item("delete", "deletes 1 object: " + what + extra, List.of("delete")));
    }

    // --- RBAC ----------------------------------------------------------------------------------

    private static void rules(JsonNode before, JsonNode after, List<Item> items) {
        List<JsonNode> old = list(before == null ? null : before.get("rules"));
        List<JsonNode> now = list(after == null ? null : after.get("rules"));
        for (JsonNode r : now) {
            if (!old.contains(r)) items.add(new Item("rbac-rule", "adds rule: " + rule(r), ruleFlags(r)));
        }
        for (JsonNode r : old) {
            if (!now.contains(r)) items.add(new Item("rbac-rule", "removes rule: " + rule(r), List.of()));
        }
        JsonNode agg = after == null ? null : after.get("aggregationRule");
        if (agg != null && !agg.equals(before == null ? null : before.get("aggregationRule"))) {
            items.add(new Item("rbac-rule", "aggregates the rules of every ClusterRole matching " + agg.path("clusterRoleSelectors"),
                    List.of("aggregation")));
        }
    }

    private static void binding(JsonNode before, JsonNode after, ResolvedRole role, List<Item> items) {
        JsonNode o = after != null ? after : before;
        JsonNode ref = o.path("roleRef");
        String roleName = ref.path("kind").asText() + " " + ref.path("name").asText();
        List<String> refFlags = "cluster-admin".equals(ref.path("name").asText()) ? List.of("cluster-admin") : List.of();
        List<JsonNode> old = list(before == null ? null : before.get("subjects"));
        List<JsonNode> now = list(after == null ? null : after.get("subjects"));
        List<String> added = now.stream().filter(s -> !old.contains(s)).map(ChangeSummary::subject).toList();
        List<String> removed = old.stream().filter(s -> !now.contains(s)).map(ChangeSummary::subject).toList();
        String scope = "ClusterRoleBinding".equals(o.path("kind").asText()) ? "cluster-wide"
                : "in namespace " + o.path("metadata").path("namespace").asText();
        if (!added.isEmpty()) {
            items.add(new Item("subjects", "grants " + roleName + " " + scope + " to " + String.join(", ", added), refFlags));
        }
        if (!removed.isEmpty()) {
            items.add(new Item("subjects", "takes " + roleName + " " + scope + " away from " + String.join(", ", removed), List.of()));
        }
        if (after == null || added.isEmpty()) {
            return; // nothing newly granted
        }
        if (role == null) {
            return;
        }
        if (role.role() == null) {
            items.add(new Item("granted-rule", "could not resolve " + role.kind() + " " + role.name()
                    + (role.error() == null ? "" : " (" + role.error() + ")") + ": the rules it grants are not shown",
                    List.of("unresolved")));
            return;
        }
        List<JsonNode> granted = list(role.role().get("rules"));
        if (granted.isEmpty()) {
            items.add(new Item("granted-rule", role.kind() + " " + role.name() + " has no rules"
                    + (role.role().has("aggregationRule") ? " yet (it aggregates other ClusterRoles)" : ""), List.of()));
        }
        for (JsonNode r : granted) {
            items.add(new Item("granted-rule", "grants rule: " + rule(r), ruleFlags(r)));
        }
    }

    /** {@code get, list on pods, pods/log (apiGroups: core) names: a} — like kubectl describe. */
    static String rule(JsonNode r) {
        StringBuilder b = new StringBuilder(String.join(", ", strings(r.get("verbs"))));
        List<String> urls = strings(r.get("nonResourceURLs"));
        if (!urls.isEmpty()) {
            return b.append(" on non-resource URLs ").append(String.join(", ", urls)).toString();
        }
        b.append(" on ").append(String.join(", ", strings(r.get("resources"))));
        List<String> groups = strings(r.get("apiGroups")).stream().map(g -> g.isEmpty() ? "core" : g).toList();
        b.append(" (apiGroups: ").append(String.join(", ", groups)).append(')');
        List<String> names = strings(r.get("resourceNames"));
        if (!names.isEmpty()) {
            b.append(" names: ").append(String.join(", ", names));
        }
        return b.toString();
    }

    /** Why a rule is dangerous. */
    static List<String> ruleFlags(JsonNode r) {
        List<String> verbs = strings(r.get("verbs"));
        List<String> resources = strings(r.get("resources"));
        Set<String> flags = new LinkedHashSet<>();
        if (verbs.contains("*") || resources.contains("*") || strings(r.get("apiGroups")).contains("*")
                || strings(r.get("nonResourceURLs")).contains("*")) {
            flags.add("*");
        }
        for (String v : List.of("escalate", "bind", "impersonate")) {
            if (verbs.contains(v)) flags.add(v);
        }
        boolean secrets = resources.contains("secrets") || resources.contains("*");
        if (secrets && verbs.stream().anyMatch(READ_VERBS::contains)) {
            flags.add("secrets");
        }
        if (resources.stream().anyMatch(x -> x.equals("pods/exec") || x.equals("pods/attach") || x.equals("nodes/proxy"))
                && !verbs.isEmpty()) {
            flags.add("exec");
        }
        return List.copyOf(flags);
    }

    private static String subject(JsonNode s) {
        String ns = s.path("namespace").asText("");
        return s.path("kind").asText("subject") + " " + (ns.isEmpty() ? "" : ns + "/") + s.path("name").asText();
    }

    // --- admission webhooks -----------------------------------------------------------------------

    private static void webhooks(JsonNode before, JsonNode after, List<Item> items) {
        if (after == null) {
            return;
        }
        List<JsonNode> old = list(before == null ? null : before.get("webhooks"));
        for (JsonNode w : list(after.get("webhooks"))) {
            if (old.contains(w)) continue;
            List<String> flags = new ArrayList<>();
            List<String> rules = new ArrayList<>();
            for (JsonNode r : list(w.get("rules"))) {
                List<String> ops = strings(r.get("operations"));
                List<String> res = strings(r.get("resources"));
                if (ops.contains("*") || res.contains("*") || res.contains("*/*") || strings(r.get("apiGroups")).contains("*")) {
                    if (!flags.contains("*")) flags.add("*");
                }
                if (res.contains("secrets") && !flags.contains("secrets")) flags.add("secrets");
                rules.add(String.join(",", ops) + " of " + String.join(", ", res) + " (apiGroups: "
                        + String.join(", ", strings(r.get("apiGroups")).stream().map(g -> g.isEmpty() ? "core" : g).toList()) + ")");
            }
            JsonNode cc = w.path("clientConfig");
            String target = cc.hasNonNull("url") ? cc.path("url").asText()
                    : "service " + cc.path("service").path("namespace").asText() + "/" + cc.path("service").path("name").asText();
            items.add(new Item("webhook", "webhook " + w.path("name").asText() + " sees " + (rules.isEmpty() ? "nothing" : String.join("; ", rules))
                    + ", calls " + target + ", failurePolicy " + w.path("failurePolicy").asText("Fail"), flags));
        }
    }

    // --- pods and workloads -------------------------------------------------------------------------

    private static void workload(JsonNode before, JsonNode after, List<Item> items) {
        JsonNode replicasNow = after.path("spec").get("replicas");
        JsonNode replicasWas = before == null ? null : before.path("spec").get("replicas");
        if (replicasNow != null && replicasNow.isNumber() && !replicasNow.equals(replicasWas)) {
            items.add(new Item("replicas", "replicas: " + (replicasWas == null ? "(unset)" : replicasWas.asText()) + " → "
                    + replicasNow.asText(), List.of()));
        }
        JsonNode podNow = podSpec(after);
        if (podNow == null) {
            return;
        }
        Map<String, Fact> old = before == null || podSpec(before) == null ? Map.of() : facts(podSpec(before));
        for (Fact f : facts(podNow).values()) {
            Fact was = old.get(f.key());
            if (was == null || !Objects.equals(was.value(), f.value())) {
                String text = f.topic().equals("image") && was != null ? f.text().replace("runs image ", "image " + was.value() + " → ") : f.text();
                items.add(new Item(f.topic(), text, f.flags()));
            }
        }
    }

    private record Fact(String key, String topic, String value, String text, List<String> flags) {
    }

    /** The pod spec of a Pod, a workload's template, or a CronJob's job template. */
    static JsonNode podSpec(JsonNode o) {
        String kind = o.path("kind").asText("");
        JsonNode spec = switch (kind) {
            case "Pod" -> o.get("spec");
            case "CronJob" -> o.path("spec").path("jobTemplate").path("spec").path("template").get("spec");
            case "PodTemplate" -> o.path("template").get("spec");
            default -> o.path("spec").path("template").get("spec");
        };
        return spec != null && spec.isObject() ? spec : null;
    }

    private static Map<String, Fact> facts(JsonNode spec) {
        Map<String, Fact> out = new LinkedHashMap<>();
        for (String ns : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (spec.path(ns).asBoolean(false)) {
                out.put(ns, new Fact(ns, "pod", "true", "pod uses the node's " + ns.substring(4) + " namespace (" + ns + ": true)", List.of(ns)));
            }
        }
        String sa = spec.path("serviceAccountName").asText(spec.path("serviceAccount").asText(""));
        if (!sa.isEmpty()) {
            out.put("sa", new Fact("sa", "pod", sa, "pod runs as service account " + sa, List.of()));
        }
        JsonNode automount = spec.get("automountServiceAccountToken");
        if (automount != null && !automount.isNull()) {
            out.put("automount", new Fact("automount", "pod", automount.asText(),
                    "automountServiceAccountToken: " + automount.asText(), List.of()));
        }
        if (spec.path("securityContext").path("runAsUser").isNumber() && spec.path("securityContext").path("runAsUser").asLong() == 0) {
            out.put("runAsUser", new Fact("runAsUser", "pod", "0", "pod runs as root (securityContext.runAsUser: 0)", List.of("root")));
        }
        for (JsonNode v : list(spec.get("volumes"))) {
            if (v.has("hostPath")) {
                String path = v.path("hostPath").path("path").asText();
                out.put("hostPath:" + v.path("name").asText(), new Fact("hostPath:" + v.path("name").asText(), "pod", path,
                        "volume " + v.path("name").asText() + " mounts the node's " + path + " (hostPath)", List.of("hostPath")));
            }
        }
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : list(spec.get(list))) {
                container(c, out);
            }
        }
        return out;
    }

    private static void container(JsonNode c, Map<String, Fact> out) {
        String name = c.path("name").asText();
        String prefix = "container " + name;
        String image = c.path("image").asText("");
        if (!image.isEmpty()) {
            out.put(name + ":image", new Fact(name + ":image", "image", image, prefix + " runs image " + image, List.of()));
        }
        JsonNode sc = c.path("securityContext");
        if (sc.path("privileged").asBoolean(false)) {
            out.put(name + ":privileged", new Fact(name + ":privileged", "pod", "true", prefix + " is privileged", List.of("privileged")));
        }
        if (sc.path("allowPrivilegeEscalation").asBoolean(false)) {
            out.put(name + ":ape", new Fact(name + ":ape", "pod", "true", prefix + " allows privilege escalation", List.of("allowPrivilegeEscalation")));
        }
        List<String> caps = strings(sc.path("capabilities").get("add"));
        if (!caps.isEmpty()) {
            out.put(name + ":caps", new Fact(name + ":caps", "pod", String.join(",", caps),
                    prefix + " adds capabilities " + String.join(", ", caps), List.of("capabilities")));
        }
        if (sc.path("runAsUser").isNumber() && sc.path("runAsUser").asLong() == 0) {
            out.put(name + ":root", new Fact(name + ":root", "pod", "0", prefix + " runs as root (runAsUser: 0)", List.of("root")));
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(out::add);
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        return list(array).stream().map(JsonNode::asText).toList();
    }

    /** {@code namespace/name} or {@code name}. */
    private static String name(JsonNode o) {
        JsonNode meta = o.path("metadata");
        String ns = meta.path("namespace").asText("");
        return (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText();
    }
}
