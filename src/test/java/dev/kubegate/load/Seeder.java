package dev.kubegate.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Seeds what the scenarios read, through the API (so it works against any upstream): the pod of the
 * small GETs, and ConfigMaps in namespace {@code load} until their list is the requested size.
 * Idempotent: objects that exist already are kept.
 */
final class Seeder {

    static final String POD_NAMESPACE = "default";
    static final String POD = "load-pod";
    static final String LIST_NAMESPACE = "load";
    static final String LIST_PATH = "/api/v1/namespaces/" + LIST_NAMESPACE + "/configmaps";
    /** Payload per seeded ConfigMap; about 500 of them make 5 MiB. */
    private static final int CONFIGMAP_BYTES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Seeder() {
    }

    static void ensureNamespace(HttpClient c, Endpoint ep, String ns) {
        Http.Response r = Http.call(c, ep, HttpMethod.POST, "/api/v1/namespaces", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
        if (r.status() != 201 && r.status() != 409) {
            throw new IllegalStateException("cannot create namespace " + ns + ": " + r.status() + " " + r.text());
        }
    }

    static void seedPod(HttpClient c, Endpoint ep) {
        Http.Response r = Http.call(c, ep, HttpMethod.POST, "/api/v1/namespaces/" + POD_NAMESPACE + "/pods", "application/json", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"load"}},
                 "spec":{"containers":[{"name":"main","image":"busybox","command":["sleep","3600"]}]}}""".formatted(POD));
        if (r.status() != 201 && r.status() != 409) {
            throw new IllegalStateException("cannot create pod " + POD + ": " + r.status() + " " + r.text());
        }
    }

    /** Creates ConfigMaps in namespace load until the list is at least {@code bytes}; returns its size. */
    static long seedList(HttpClient c, Endpoint ep, long bytes) {
        ensureNamespace(c, ep, LIST_NAMESPACE);
        long size = listBytes(c, ep);
        int existing = count(c, ep);
        if (size >= bytes) {
            return size;
        }
        int missing = (int) Math.ceil((bytes - size) / (double) (CONFIGMAP_BYTES + 300)) + 1;
        String value = "x".repeat(CONFIGMAP_BYTES / 10 - 12);
        List<Future<Http.Response>> batch = new ArrayList<>();
        for (int i = existing; i < existing + missing; i++) {
            StringBuilder data = new StringBuilder();
            for (int k = 0; k < 10; k++) {
                data.append(k == 0 ? "" : ",").append("\"key-").append(k).append("\":\"").append(value).append('"');
            }
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"load-cm-%05d\",\"labels\":{\"app\":\"load\"}},\"data\":{%s}}"
                    .formatted(i, data);
            RequestOptions ro = ep.request(HttpMethod.POST, LIST_PATH).putHeader("Content-Type", "application/json");
            batch.add(Http.send(c, ro, Buffer.buffer(body)));
            if (batch.size() == 16) {
                drain(batch);
            }
        }
        drain(batch);
        return listBytes(c, ep);
    }

    static final String SECRETS_NAMESPACE = "load-secrets";
    static final String SECRETS_PATH = "/api/v1/namespaces/" + SECRETS_NAMESPACE + "/secrets";

    /**
     * Creates Secrets (10 keys of ~1 kB base64 each) in namespace load-secrets until their list is at
     * least {@code bytes}; returns its size as the API server sends it (kubegate masks it).
     */
    static long seedSecretList(HttpClient c, Endpoint ep, long bytes) {
        ensureNamespace(c, ep, SECRETS_NAMESPACE);
        long size = bytes(c, ep, SECRETS_PATH);
        if (size >= bytes) {
            return size;
        }
        int missing = (int) Math.ceil((bytes - size) / (double) (CONFIGMAP_BYTES + 400)) + 1;
        String value = java.util.Base64.getEncoder().encodeToString("s3cr3t-".repeat(CONFIGMAP_BYTES / 10 / 7 * 3 / 4).getBytes());
        List<Future<Http.Response>> batch = new ArrayList<>();
        for (int i = 0; i < missing; i++) {
            StringBuilder data = new StringBuilder();
            for (int k = 0; k < 10; k++) {
                data.append(k == 0 ? "" : ",").append("\"key-").append(k).append("\":\"").append(value).append('"');
            }
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"load-secret-%05d-%d\"},\"type\":\"Opaque\",\"data\":{%s}}"
                    .formatted(i, System.nanoTime() % 100000, data);
            RequestOptions ro = ep.request(HttpMethod.POST, SECRETS_PATH).putHeader("Content-Type", "application/json");
            batch.add(Http.send(c, ro, Buffer.buffer(body)));
            if (batch.size() == 16) {
                drain(batch);
            }
        }
        drain(batch);
        return bytes(c, ep, SECRETS_PATH);
    }

    private static long bytes(HttpClient c, Endpoint ep, String path) {
        Http.Response r = Http.call(c, ep, HttpMethod.GET, path, null, null);
        if (r.status() != 200) {
            throw new IllegalStateException("cannot list " + path + ": " + r.status() + " " + r.text());
        }
        return r.body().length();
    }

    private static void drain(List<Future<Http.Response>> batch) {
        for (Future<Http.Response> f : batch) {
            Http.Response r = Http.await(f, Duration.ofSeconds(60));
            if (r.status() != 201 && r.status() != 409) {
                throw new IllegalStateException("cannot seed a configmap: " + r.status() + " " + r.text());
            }
        }
        batch.clear();
    }

    static long listBytes(HttpClient c, Endpoint ep) {
        Http.Response r = Http.call(c, ep, HttpMethod.GET, LIST_PATH, null, null);
        if (r.status() != 200) {
            throw new IllegalStateException("cannot list " + LIST_PATH + ": " + r.status() + " " + r.text());
        }
        return r.body().length();
    }

    private static int count(HttpClient c, Endpoint ep) {
        Http.Response r = Http.call(c, ep, HttpMethod.GET, LIST_PATH, null, null);
        try {
            return JSON.readTree(r.text()).path("items").size();
        } catch (Exception e) {
            throw new IllegalStateException("unreadable list: " + e);
        }
    }

    static String listResourceVersion(String listJson) {
        try {
            JsonNode rv = JSON.readTree(listJson).path("metadata").path("resourceVersion");
            if (rv.isMissingNode() || rv.asText().isEmpty()) {
                throw new IllegalStateException("list without metadata.resourceVersion");
            }
            return rv.asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable list: " + e);
        }
    }
}
