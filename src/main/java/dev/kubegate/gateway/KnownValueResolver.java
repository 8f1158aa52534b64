package dev.kubegate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.masking.KnownValues;
import dev.kubegate.masking.PodSecrets;
import dev.kubegate.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Secret values a pod can read ({@link PodSecrets}), for masking its logs and exec output:
 * the pod and each Secret it references, read with kubegate's OWN identity (no impersonation —
 * the agent may not be allowed to read Secrets, and must not learn them either way), asynchronously
 * on the Vert.x client, cached per pod for {@code kubegate.masking.known-values-ttl}.
 *
 * <p>Fails closed: when the pod or one of its Secrets cannot be read (403, 5xx, a timeout) the
 * future fails and the caller refuses the stream. A pod that does not exist has no values (the
 * call itself gets the API server's 404); a referenced Secret that does not exist holds none.
 * Failures are not cached.
 */
@ApplicationScoped
public class KnownValueResolver {

    /** Largest pod or Secret read (the API server caps objects at ~1.5 MiB). */
    static final long MAX_OBJECT_BYTES = 4L << 20;
    /** Pods whose values are kept at once; past it, expired entries go, then everything. */
    static final int MAX_PODS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(Future<KnownValues> values, long expiresAtNanos) {
    }

    @Inject
    KubegateConfig config;

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    /** Whether Secret values are masked by value at all ({@code kubegate.masking.known-values}). */
    public boolean enabled() {
        return config.masking().knownValues();
    }

    /** The values of the Secrets pod {@code namespace/name} can read; cached. */
    public Future<KnownValues> forPod(UpstreamClient upstream, String namespace, String name) {
        String key = namespace + "/" + name;
        long now = System.nanoTime();
        Entry e = cache.get(key);
        if (e != null && now - e.expiresAtNanos() < 0) {
            return e.values();
        }
        if (cache.size() >= MAX_PODS) {
            cache.values().removeIf(x -> now - x.expiresAtNanos() >= 0);
            if (cache.size() >= MAX_PODS) {
                cache.clear();
            }
        }
        Future<KnownValues> values = resolve(upstream, namespace, name);
        Entry fresh = new Entry(values, now + config.masking().knownValuesTtl().toNanos());
        cache.put(key, fresh);
        values.onFailure(x -> cache.remove(key, fresh));
        return values;
    }

    private Future<KnownValues> resolve(UpstreamClient upstream, String namespace, String pod) {
        String base = "/api/v1/namespaces/" + segment(namespace);
        return get(upstream, base + "/pods/" + segment(pod)).compose(podJson -> {
            if (podJson == null) {
                return Future.succeededFuture(KnownValues.NONE);
            }
            List<Future<JsonNode>> secrets = new ArrayList<>();
            for (String secret : PodSecrets.referencedBy(podJson)) {
                secrets.add(get(upstream, base + "/secrets/" + segment(secret)));
            }
            return Future.all(secrets).map(all -> {
                List<byte[]> values = new ArrayList<>();
                for (Future<JsonNode> s : secrets) {
                    if (s.result() != null) {
                        values.addAll(PodSecrets.values(s.result()));
                    }
                }
                return KnownValues.of(values);
            });
        });
    }

    /** The most Secrets one pod spec may reference before kubegate refuses to look them all up. */
    static final int MAX_REFERENCED_SECRETS = 64;

    /**
     * Of the Secrets {@code names} in {@code namespace}, those of type
     * {@code kubernetes.io/service-account-token}, each with the account whose token it holds — read
     * by kubegate itself, so policy can hold a pod that would borrow an account by mounting its
     * token. A missing Secret holds none; a failed read fails the future (the call is refused).
     */
    public Future<Map<String, String>> tokenSecrets(UpstreamClient upstream, String namespace, Set<String> names) {
        if (names.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        if (names.size() > MAX_REFERENCED_SECRETS) {
            return Future.failedFuture("the pod spec references " + names.size() + " Secrets, more than kubegate checks ("
                    + MAX_REFERENCED_SECRETS + ")");
        }
        String base = "/api/v1/namespaces/" + segment(namespace) + "/secrets/";
        Map<String, Future<JsonNode>> reads = new java.util.TreeMap<>();
        for (String name : names) {
            reads.put(name, get(upstream, base + segment(name)));
        }
        return Future.all(new ArrayList<>(reads.values())).map(all -> {
            Map<String, String> tokens = new java.util.TreeMap<>();
            reads.forEach((name, read) -> {
                JsonNode secret = read.result();
                if (secret != null && "kubernetes.io/service-account-token".equals(secret.path("type").asText())) {
                    tokens.put(name, secret.path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText(""));
                }
            });
            return tokens;
        });
    }

    /** The object at {@code path} as kubegate itself reads it; null when it does not exist. */
    private Future<JsonNode> get(UpstreamClient upstream, String path) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
        long timeout = config.upstream().responseTimeout().toMillis();
        return upstream.request(HttpMethod.GET, path, headers)
                .compose(req -> {
                    req.idleTimeout(timeout);
                    return req.send();
                })
                .compose(resp -> {
                    if (resp.statusCode() == 404) {
                        return resp.body().map(ignored -> (JsonNode) null);
                    }
                    if (resp.statusCode() != 200) {
                        return readBounded(resp).compose(body -> Future.failedFuture(
                                "GET " + path + " answered " + resp.statusCode() + ": " + reason(body)));
                    }
                    return readBounded(resp).compose(body -> {
                        try {
                            return Future.succeededFuture(JSON.readTree(body.getBytes()));
                        } catch (IOException x) {
                            return Future.failedFuture("GET " + path + " returned unreadable JSON");
                        }
                    });
                });
    }

    private static Future<Buffer> readBounded(HttpClientResponse resp) {
        Promise<Buffer> read = Promise.promise();
        Buffer b = Buffer.buffer();
        resp.handler(chunk -> {
            if (b.length() + chunk.length() > MAX_OBJECT_BYTES) {
                resp.request().reset();
                read.tryFail("the object is larger than " + MAX_OBJECT_BYTES + " bytes");
            } else {
                b.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(read::tryFail);
        resp.endHandler(v -> read.tryComplete(b));
        return read.future();
    }

    /** The Status message of an error answer, else its status line's worth of text. */
    private static String reason(Buffer body) {
        try {
            JsonNode status = JSON.readTree(body.getBytes());
            if (status != null && status.path("message").isTextual()) {
                return status.path("message").textValue();
            }
        } catch (IOException ignored) {
            // not a Status: fall through
        }
        String text = body.toString(StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "no message" : text.substring(0, Math.min(200, text.length()));
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
