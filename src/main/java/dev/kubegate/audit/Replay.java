package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns call records back into what the agent did: the equivalent kubectl command, the decision
 * and the result. When kubectl sent its {@code Kubectl-Command} header (kubectl ≥ 1.22 does) the
 * command it names is shown; otherwise the command is rebuilt from the request (verb, resource,
 * name, namespace, selectors, the exec command). Pure.
 */
public final class Replay {

    private Replay() {
    }

    /** One line per record: {@code 2026-11-26T08:00:00Z  kubectl get pods -n prod   allow → 200}. */
    public static String line(JsonNode r) {
        String type = r.path("type").asText();
        if (type.equals("lifecycle")) {
            return r.path("time").asText() + "  [" + r.path("event").asText() + "] actor=" + r.path("actor").asText("")
                    + (r.path("details").isEmpty() ? "" : " " + r.path("details"));
        }
        StringBuilder b = new StringBuilder(r.path("time").asText()).append("  ").append(kubectl(r));
        JsonNode d = r.path("decision");
        b.append("   ").append(d.path("result").asText("none"));
        if (r.has("outcome")) {
            b.append(" → outcome unknown (the replica stopped before the call ended)");
        } else {
            JsonNode resp = r.path("response");
            b.append(" → ").append(resp.path("code").asInt());
            if (resp.has("reason")) b.append(' ').append(resp.path("reason").asText());
            if (!resp.path("complete").asBoolean(true)) b.append(" (cut)");
        }
        if (d.path("reasons").size() > 0 && !"allow".equals(d.path("result").asText())) {
            b.append(": ").append(d.path("reasons").get(0).asText());
        }
        if (r.has("recording")) {
            JsonNode rec = r.path("recording");
            b.append("   [exec recording ").append(rec.path("path").asText(rec.path("id").asText())).append(']');
        }
        return b.toString();
    }

    /** The kubectl command equivalent to one call record. */
    public static String kubectl(JsonNode r) {
        JsonNode q = r.path("request");
        String verb = q.path("verb").asText();
        if (!q.path("resourceRequest").asBoolean()) {
            return "kubectl get --raw " + q.path("path").asText(q.path("uri").asText());
        }
        String resource = q.path("resource").asText() + (q.path("apiGroup").asText().isEmpty() ? "" : "." + q.path("apiGroup").asText());
        String name = q.path("name").asText();
        String sub = q.path("subresource").asText();
        String ns = q.path("namespace").asText();
        JsonNode query = q.path("query");
        List<String> cmd = new ArrayList<>();
        cmd.add("kubectl");
        String client = r.path("client").path("kubectlCommand").asText("");
        boolean named = !name.isEmpty();
        switch (sub) {
            case "exec", "attach" -> {
                cmd.add(sub);
                if (first(query, "stdin").equals("true")) cmd.add("-i");
                if (first(query, "tty").equals("true")) cmd.add("-t");
                cmd.add(name);
                if (!first(query, "container").isEmpty()) { cmd.add("-c"); cmd.add(first(query, "container")); }
                if (sub.equals("exec")) {
                    cmd.add("--");
                    for (JsonNode c : query.path("command")) cmd.add(quote(c.asText()));
                }
            }
            case "log" -> {
                cmd.add("logs");
                cmd.add(name);
                if (!first(query, "container").isEmpty()) { cmd.add("-c"); cmd.add(first(query, "container")); }
                if (first(query, "follow").equals("true")) cmd.add("-f");
                if (!first(query, "tailLines").isEmpty()) cmd.add("--tail=" + first(query, "tailLines"));
            }
            case "portforward" -> {
                cmd.add("port-forward");
                cmd.add(name);
                for (JsonNode p : query.path("ports")) cmd.add(p.asText());
            }
            default -> {
                String sc = client.startsWith("kubectl ") ? client.substring("kubectl ".length()) : "";
                switch (verb) {
                    case "get", "list", "watch" -> {
                        cmd.add("get");
                        cmd.add(resource);
                        if (named) cmd.add(name);
                        if (!first(query, "labelSelector").isEmpty()) cmd.add("-l " + quote(first(query, "labelSelector")));
                        if (!first(query, "fieldSelector").isEmpty() && !named) cmd.add("--field-selector " + quote(first(query, "fieldSelector")));
                        if (verb.equals("watch")) cmd.add("--watch");
                    }
                    case "create" -> { cmd.add(sc.isEmpty() ? "create" : sc); cmd.add("-f -"); cmd.add("# " + resource + (named ? "/" + name : "") + objectName(r)); }
                    case "update" -> { cmd.add(sc.isEmpty() ? "replace" : sc); cmd.add("-f -"); cmd.add("# " + resource + "/" + name); }
                    case "patch" -> {
                        if (sc.isEmpty()) { cmd.add("patch"); cmd.add(resource); cmd.add(name); }
                        else { cmd.add(sc); cmd.add("-f -"); cmd.add("# " + resource + "/" + name); }
                    }
                    case "delete" -> { cmd.add("delete"); cmd.add(resource); cmd.add(name); }
                    case "deletecollection" -> { cmd.add("delete"); cmd.add(resource); cmd.add("--all"); }
                    default -> { cmd.add(verb); cmd.add(resource); if (named) cmd.add(name); }
                }
                if (!sub.isEmpty()) cmd.add("--subresource=" + sub);
            }
        }
        if (!ns.isEmpty() && !q.path("resource").asText().equals("namespaces")) {
            cmd.add("-n");
            cmd.add(ns);
        } else if ((verb.equals("list") || verb.equals("watch")) && namespaced(resource)) {
            cmd.add("-A");
        }
        if (first(query, "dryRun").equals("All")) cmd.add("--dry-run=server");
        return String.join(" ", cmd);
    }

    private static String objectName(JsonNode r) {
        String n = r.path("requestObject").path("metadata").path("name").asText("");
        return n.isEmpty() ? "" : "/" + n;
    }

    private static boolean namespaced(String resource) {
        return !List.of("namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings",
                "customresourcedefinitions.apiextensions.k8s.io", "storageclasses.storage.k8s.io").contains(resource);
    }

    private static String first(JsonNode query, String name) {
        JsonNode v = query.path(name);
        return v.isArray() && v.size() > 0 ? v.get(0).asText() : "";
    }

    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=,@%+-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
