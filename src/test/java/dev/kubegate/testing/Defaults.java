package dev.kubegate.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What defaulting and controllers would do to an object in a real cluster, done at write time so
 * tests need not wait: pods run on "fake-node", workloads report every replica ready (kubectl
 * rollout status succeeds), services get a cluster IP, secrets fold stringData into data.
 */
final class Defaults {
    private Defaults() {
    }

    static void apply(ResourceType t, ObjectNode obj, boolean created) {
        ObjectNode spec = obj.has("spec") ? obj.withObjectProperty("spec") : null;
        switch (t.kind()) {
            case "Namespace" -> {
                if (created) {
                    obj.withObjectProperty("spec").withArray("finalizers").add("kubernetes");
                    obj.withObjectProperty("status").put("phase", "Active");
                    Json.meta(obj).withObjectProperty("labels").put("kubernetes.io/metadata.name", Json.text(obj, "metadata.name"));
                }
            }
            case "Pod" -> {
                if (created && spec != null && !obj.path("status").has("phase")) {
                    podRunning(obj, spec);
                }
            }
            case "Deployment", "StatefulSet", "ReplicaSet" -> {
                if (spec != null) {
                    if (!spec.has("replicas")) {
                        spec.put("replicas", 1);
                    }
                    int n = spec.path("replicas").asInt();
                    ObjectNode status = obj.putObject("status").put("observedGeneration", Json.meta(obj).path("generation").asLong(1))
                            .put("replicas", n).put("readyReplicas", n).put("updatedReplicas", n).put("availableReplicas", n);
                    if (t.kind().equals("Deployment")) {
                        ArrayNode c = status.putArray("conditions");
                        c.addObject().put("type", "Available").put("status", "True").put("reason", "MinimumReplicasAvailable");
                        c.addObject().put("type", "Progressing").put("status", "True").put("reason", "NewReplicaSetAvailable");
                    }
                }
            }
            case "Service" -> {
                if (spec != null && created) {
                    if (!spec.has("type")) {
                        spec.put("type", "ClusterIP");
                    }
                    if (!spec.has("clusterIP")) {
                        spec.put("clusterIP", "10.96." + ThreadLocalRandom.current().nextInt(256) + "." + ThreadLocalRandom.current().nextInt(1, 255));
                    }
                }
            }
            case "Secret" -> {
                if (!obj.has("type")) {
                    obj.put("type", "Opaque");
                }
                // stringData is write-only: the apiserver folds it into data, base64-encoded
                if (obj.get("stringData") instanceof ObjectNode sd) {
                    ObjectNode data = obj.withObjectProperty("data");
                    sd.properties().forEach(e -> data.put(e.getKey(),
                            Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
                    obj.remove("stringData");
                }
            }
            default -> { }
        }
    }

    private static void podRunning(ObjectNode pod, ObjectNode spec) {
        if (!spec.has("nodeName")) {
            spec.put("nodeName", "fake-node");
        }
        String now = now();
        ObjectNode status = pod.putObject("status").put("phase", "Running").put("hostIP", "10.0.0.1")
                .put("podIP", "10.244.0." + ThreadLocalRandom.current().nextInt(2, 250)).put("startTime", now);
        ArrayNode conditions = status.putArray("conditions");
        for (String c : List.of("Initialized", "Ready", "ContainersReady", "PodScheduled")) {
            conditions.addObject().put("type", c).put("status", "True").put("lastTransitionTime", now);
        }
        ArrayNode statuses = status.putArray("containerStatuses");
        for (JsonNode c : spec.path("containers")) {
            ObjectNode s = statuses.addObject().put("name", c.path("name").asText()).put("ready", true)
                    .put("restartCount", 0).put("started", true).put("image", c.path("image").asText())
                    .put("imageID", "").put("containerID", "containerd://" + UUID.randomUUID().toString().replace("-", ""));
            s.putObject("state").putObject("running").put("startedAt", now);
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
