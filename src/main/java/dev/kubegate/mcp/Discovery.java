package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kind to resource, from the API server's discovery document of a group version, read through the
 * gateway like every other call (the first agent to need it reads it; kubegate keeps it for
 * {@code kubegate.mcp.discovery-ttl}). Discovery says the same to every caller, so sharing it
 * reveals nothing; each tool's own call is still judged for its caller.
 */
final class Discovery {

    /** One served kind of a group version. */
    record Resource(String apiVersion, String group, String version, String kind, String name, boolean namespaced) {
    }

    private record Entry(long expiresAt, Map<String, Resource> byKind) {
    }

    private final Loopback loopback;
    private final long ttlNanos;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    Discovery(Loopback loopback, Duration ttl) {
        this.loopback = loopback;
        this.ttlNanos = ttl.toNanos();
    }

    Future<Resource> resolve(ToolContext ctx, String apiVersion, String kind) {
        ApiPaths.checkApiVersion(apiVersion);
        if (kind == null || kind.isBlank()) {
            return Future.failedFuture(new ToolError("kind is required (for example Deployment)"));
        }
        Entry e = cache.get(apiVersion);
        if (e != null && e.expiresAt - System.nanoTime() > 0) {
            return Future.succeededFuture(find(e, apiVersion, kind));
        }
        return loopback.get(ctx, ApiPaths.groupVersion(apiVersion)).map(answer -> {
            if (answer.status() == 404) {
                throw new ToolError("the API server serves no apiVersion " + apiVersion);
            }
            if (!answer.ok()) {
                throw answer.error();
            }
            Map<String, Resource> byKind = new HashMap<>();
            int slash = apiVersion.indexOf('/');
            String group = slash < 0 ? "" : apiVersion.substring(0, slash);
            String version = apiVersion.substring(slash + 1);
            for (JsonNode r : answer.json().path("resources")) {
                String name = r.path("name").asText();
                if (name.isEmpty() || name.contains("/")) {
                    continue; // subresources
                }
                byKind.put(r.path("kind").asText().toLowerCase(java.util.Locale.ROOT),
                        new Resource(apiVersion, group, version, r.path("kind").asText(), name, r.path("namespaced").asBoolean()));
            }
            Entry fresh = new Entry(System.nanoTime() + ttlNanos, byKind);
            cache.put(apiVersion, fresh);
            return find(fresh, apiVersion, kind);
        });
    }

    private static Resource find(Entry e, String apiVersion, String kind) {
        Resource r = e.byKind.get(kind.toLowerCase(java.util.Locale.ROOT));
        if (r == null) {
            throw new ToolError("the API server serves no kind " + kind + " in apiVersion " + apiVersion
                    + " (kinds there: " + String.join(", ", e.byKind.values().stream().map(Resource::kind).sorted().toList()) + ")");
        }
        return r;
    }
}
