package dev.kubegate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.identity.Principal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Realistic policy inputs, and bundles built with the real opa (src/main/sh/opa.sh). */
public final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    public static final Principal ALICE = new Principal("static:alice", "alice", "static", List.of("agents"),
            Optional.of(new Principal.Session("s-1", Map.of("task", "deploy web"), Instant.parse("2026-11-26T08:15:00Z"))));

    public static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PolicyInput.Request request(String verb, String group, String resource, String subresource, String namespace) {
        return new PolicyInput.Request(verb, group, group.isEmpty() ? "v1" : group + "/v1", resource, subresource, namespace, "",
                true, "/api", Map.of(), false);
    }

    public static PolicyInput input(PolicyInput.Request request, JsonNode object) {
        String podSpec = object == null ? null
                : PolicyInput.podSpecPath(request.apiGroup(), request.resource(), request.subresource()).orElse(null);
        return new PolicyInput(ALICE, request, object, null, podSpec, new PolicyInput.Stats(12, 3, 1, 0),
                Instant.parse("2026-11-26T08:00:00Z"));
    }

    public static PolicyInput read(String verb, String resource, String namespace) {
        return input(request(verb, "", resource, "", namespace), null);
    }

    /** A production-like pod: init container, two containers, probes, env from secrets, volumes. */
    public static final String POD_SPEC = """
            {"serviceAccountName": "default", "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
             "initContainers": [{"name": "migrate", "image": "registry.example.com/web:1.42.0", "command": ["/app/migrate", "--up"],
               "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "web-db", "key": "url"}}}],
               "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
             "containers": [
               {"name": "web", "image": "registry.example.com/web:1.42.0", "ports": [{"name": "http", "containerPort": 8080}],
                "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "web-db", "key": "url"}}},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
                "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}, "periodSeconds": 10},
                "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}, {"name": "cache", "mountPath": "/var/cache/web"}],
                "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}},
               {"name": "metrics", "image": "registry.example.com/exporter:0.9.1", "ports": [{"name": "metrics", "containerPort": 9090}],
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
             "volumes": [{"name": "config", "configMap": {"name": "web-config"}}, {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}],
             "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]}""";

    public static JsonNode pod(String spec) {
        return json("""
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "web-7c9f8d6b5-x2k4z", "namespace": "prod",
                   "labels": {"app": "web", "pod-template-hash": "7c9f8d6b5", "tier": "frontend"},
                   "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}},
                 "spec": %s}""".formatted(spec));
    }

    public static JsonNode deployment(String spec) {
        return json("""
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
                 "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": {"labels": {"app": "web"}}, "spec": %s}}}""".formatted(spec));
    }

    /** The realistic pod create of the benchmark: allowed by the default pack (it runs as the namespace's default account). */
    public static PolicyInput createPod() {
        return input(request("create", "", "pods", "", "prod"), pod(POD_SPEC));
    }

    public static final String PRIVILEGED_SPEC = """
            {"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": true}}]}""";

    // --- bundles built with the real opa ----------------------------------------------------------

    /** Runs src/main/sh/opa.sh (the build's own) with {@code args}; fails the test on failure. */
    public static void opa(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("src/main/sh/opa.sh").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("opa " + String.join(" ", args) + " failed: " + out);
        }
    }

    /** A bundle of {@code files} (name → Rego or data.json), compiled like the build does. */
    public static byte[] bundle(Path scratch, Map<String, String> files) throws IOException, InterruptedException {
        Path src = Files.createTempDirectory(scratch, "rego");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(src.resolve(f.getKey()), f.getValue());
        }
        Path out = src.resolve("bundle.tar.gz");
        opa("build", "--v1-compatible", "-t", "wasm", "-e", PolicyBundle.ENTRYPOINT, "-o", out.toString(), src.toString());
        return Files.readAllBytes(out);
    }

    /** The default pack's sources with {@code replacements} applied to one file. */
    public static Map<String, String> defaultPack(String file, String from, String to) throws IOException {
        Map<String, String> files = new java.util.HashMap<>();
        try (var dir = Files.list(Path.of("policies/rego"))) {
            for (Path p : dir.filter(p -> !p.getFileName().toString().endsWith("_test.rego")).toList()) {
                files.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        if (file != null) {
            String before = files.get(file);
            String after = before.replace(from, to);
            if (after.equals(before)) {
                throw new IllegalArgumentException(from + " not found in " + file);
            }
            files.put(file, after);
        }
        return files;
    }

    private Fixtures() {
    }
}
