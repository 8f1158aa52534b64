package dev.kubegate.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-side printing: the meta.k8s.io Table that {@code kubectl get} asks for, with the columns
 * the apiserver prints for a few common kinds and Name/Age for the rest.
 */
final class Tables {
    private record Column(String name, String type, String format, int priority, String description,
            Function<ObjectNode, Object> cell) {
    }

    private static final Column NAME = new Column("Name", "string", "name", 0,
            "Name must be unique within a namespace.", o -> Json.text(o, "metadata.name"));
    private static final Column AGE = new Column("Age", "string", "", 0,
            "CreationTimestamp is a timestamp representing the server time when this object was created.",
            o -> age(Json.text(o, "metadata.creationTimestamp")));

    private Tables() {
    }

    /**
     * A Table of {@code objects}.
     *
     * @param includeObject "None", "Object" or (default) "PartialObjectMetadata"
     * @param withColumns false for watch events after the first, as the apiserver sends them
     */
    static ObjectNode table(ResourceType t, List<ObjectNode> objects, ObjectNode listMeta, String tableVersion,
            String includeObject, boolean withColumns) {
        List<Column> columns = columns(t.kind());
        ObjectNode table = Json.object().put("kind", "Table").put("apiVersion", "meta.k8s.io/" + tableVersion);
        table.set("metadata", listMeta == null ? Json.object() : listMeta);
        if (withColumns) {
            ArrayNode defs = table.putArray("columnDefinitions");
            columns.forEach(c -> defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                    .put("description", c.description()).put("priority", c.priority()));
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                Object v = c.cell().apply(o);
                if (v instanceof Number n) {
                    cells.add(n.longValue());
                } else if (v == null) {
                    cells.addNull();
                } else {
                    cells.add(v.toString());
                }
            }
            switch (includeObject == null ? "PartialObjectMetadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", o);
                default -> row.set("object", partial(o));
            }
        }
        return table;
    }

    static ObjectNode partial(ObjectNode o) {
        ObjectNode p = Json.object().put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        p.set("metadata", o.path("metadata").deepCopy());
        return p;
    }

    private static List<Column> columns(String kind) {
        List<Column> c = new ArrayList<>();
        c.add(NAME);
        switch (kind) {
            case "Pod" -> {
                c.add(col("Ready", "string", o -> ready(o) + "/" + o.path("spec").path("containers").size()));
                c.add(col("Status", "string", Tables::podStatus));
                c.add(col("Restarts", "string", o -> {
                    int n = 0;
                    for (JsonNode s : o.path("status").path("containerStatuses")) {
                        n += s.path("restartCount").asInt();
                    }
                    return Integer.toString(n);
                }));
                c.add(AGE);
                c.add(new Column("IP", "string", "", 1, "IP address allocated to the pod.", o -> orNone(Json.text(o, "status.podIP"))));
                c.add(new Column("Node", "string", "", 1, "Name of the node.", o -> orNone(Json.text(o, "spec.nodeName"))));
                return c;
            }
            case "Namespace" -> c.add(col("Status", "string", o -> Json.text(o, "status.phase")));
            case "Node" -> {
                c.add(col("Status", "string", o -> {
                    for (JsonNode cond : o.path("status").path("conditions")) {
                        if (cond.path("type").asText().equals("Ready")) {
                            return cond.path("status").asText().equals("True") ? "Ready" : "NotReady";
                        }
                    }
                    return "Unknown";
                }));
                c.add(col("Roles", "string", o -> "<none>"));
                c.add(AGE);
                c.add(col("Version", "string", o -> Json.text(o, "status.nodeInfo.kubeletVersion")));
                return c;
            }
            case "ConfigMap" -> c.add(col("Data", "integer", o -> o.path("data").size() + o.path("binaryData").size()));
            case "Secret" -> {
                c.add(col("Type", "string", o -> Json.text(o, "type")));
                c.add(col("Data", "integer", o -> o.path("data").size()));
            }
            case "Service" -> {
                c.add(col("Type", "string", o -> Json.text(o, "spec.type")));
                c.add(col("Cluster-IP", "string", o -> orNone(Json.text(o, "spec.clusterIP"))));
                c.add(col("External-IP", "string", o -> "<none>"));
                c.add(col("Port(s)", "string", o -> {
                    List<String> ports = new ArrayList<>();
                    o.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP")));
                    return ports.isEmpty() ? "<none>" : String.join(",", ports);
                }));
            }
            case "Deployment" -> {
                c.add(col("Ready", "string", o -> o.path("status").path("readyReplicas").asInt() + "/" + o.path("spec").path("replicas").asInt(1)));
                c.add(col("Up-to-date", "integer", o -> o.path("status").path("updatedReplicas").asInt()));
                c.add(col("Available", "integer", o -> o.path("status").path("availableReplicas").asInt()));
            }
            default -> { }
        }
        c.add(AGE);
        return c;
    }

    private static Column col(String name, String type, Function<ObjectNode, Object> cell) {
        return new Column(name, type, "", 0, name, cell);
    }

    private static long ready(ObjectNode pod) {
        long n = 0;
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            n += s.path("ready").asBoolean() ? 1 : 0;
        }
        return n;
    }

    private static String podStatus(ObjectNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            return "Terminating";
        }
        String reason = Json.text(pod, "status.reason");
        return reason != null ? reason : orNone(Json.text(pod, "status.phase"));
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? "<none>" : s;
    }

    /** Like k8s.io/apimachinery duration.HumanDuration, which kubectl's AGE column uses. */
    static String age(String timestamp) {
        if (timestamp == null) {
            return "<unknown>";
        }
        Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
        long s = d.getSeconds();
        if (s < -1) {
            return "<invalid>";
        } else if (s < 0) {
            return "0s";
        } else if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
        } else if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 8) {
            return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
        } else if (h < 48) {
            return h + "h";
        } else if (h < 24 * 8) {
            return h % 24 == 0 ? (h / 24) + "d" : (h / 24) + "d" + (h % 24) + "h";
        } else if (h < 24 * 365 * 2) {
            return (h / 24) + "d";
        } else if (h < 24 * 365 * 8) {
            long dy = (h / 24) % 365;
            return dy == 0 ? (h / 24 / 365) + "y" : (h / 24 / 365) + "y" + dy + "d";
        }
        return (h / 24 / 365) + "y";
    }
}
