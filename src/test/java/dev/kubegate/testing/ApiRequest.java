package dev.kubegate.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One request in flight: the Vert.x request, what was recorded about it, the effective user and,
 * for resource requests, the classification the apiserver would compute (group, version,
 * namespace, resource, name, subresource, verb).
 */
final class ApiRequest {
    /** The effective identity of a request (after impersonation). */
    record User(String name, List<String> groups, Map<String, List<String>> extra) {
    }

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    final HttpServerRequest http;
    final RecordedRequest recorded;
    private final List<Runnable> onClientGone = new ArrayList<>();
    Buffer body = Buffer.buffer();
    User user;

    // resource request classification, set by classify()
    String group;
    String version;
    String namespace;
    String resource;
    String name;
    String subresource;
    String verb;
    ResourceType type;

    ApiRequest(HttpServerRequest http, RecordedRequest recorded) {
        this.http = http;
        this.recorded = recorded;
        HttpServerResponse resp = http.response();
        resp.headersEndHandler(v -> recorded.status(resp.getStatusCode()));
        resp.closeHandler(v -> {
            if (!resp.ended()) {
                recorded.clientClosed();
            }
            List.copyOf(onClientGone).forEach(Runnable::run);
        });
        resp.exceptionHandler(e -> { /* the close handler cleans up */ });
    }

    /** Runs when the connection closes or (HTTP/2) the stream is reset. */
    void onClientGone(Runnable r) {
        onClientGone.add(r);
    }

    /**
     * Classifies {@code /api/v1/...} and {@code /apis/g/v/...} paths like the apiserver's RequestInfo
     * resolver. Returns false when the path is not a resource path.
     */
    boolean classify(String path) {
        List<String> parts = Arrays.asList(path.substring(1).split("/", -1));
        if (parts.contains("")) {
            return false;
        }
        int i;
        if (parts.get(0).equals("api") && parts.size() >= 3) {
            group = "";
            version = parts.get(1);
            i = 2;
        } else if (parts.get(0).equals("apis") && parts.size() >= 4) {
            group = parts.get(1);
            version = parts.get(2);
            i = 3;
        } else {
            return false;
        }
        boolean watchPath = parts.get(i).equals("watch");
        List<String> rest = parts.subList(watchPath ? i + 1 : i, parts.size());
        if (rest.isEmpty()) {
            return false;
        }
        if (rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            }
        }
        if (rest.size() > 3) {
            return false;
        }
        resource = rest.get(0);
        name = rest.size() > 1 ? rest.get(1) : null;
        subresource = rest.size() > 2 ? rest.get(2) : null;

        HttpMethod m = http.method();
        if (m == HttpMethod.GET || m == HttpMethod.HEAD) {
            verb = watchPath || flag("watch") ? "watch" : name != null ? "get" : "list";
        } else if (m == HttpMethod.POST) {
            verb = "create";
        } else if (m == HttpMethod.PUT) {
            verb = "update";
        } else if (m == HttpMethod.PATCH) {
            verb = "patch";
        } else if (m == HttpMethod.DELETE) {
            verb = name != null ? "delete" : "deletecollection";
        } else {
            verb = m.name().toLowerCase();
        }
        // connecting to a pod is "create" on the subresource, whichever method the upgrade used
        if (subresource != null && Set.of("exec", "attach", "portforward").contains(subresource)) {
            verb = "create";
        }
        return true;
    }

    AccessRequest access() {
        return new AccessRequest(user.name(), user.groups(), verb, group, resource, subresource,
                type != null && !type.namespaced() ? null : namespace, name, http.path());
    }

    String param(String name) {
        return http.getParam(name);
    }

    List<String> params(String name) {
        return http.params().getAll(name);
    }

    boolean flag(String name) {
        String v = param(name);
        return "true".equalsIgnoreCase(v) || "1".equals(v);
    }

    int intParam(String name, int otherwise) {
        String v = param(name);
        if (v == null || v.isEmpty()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid value for " + name + ": " + v);
        }
    }

    boolean dryRun() {
        List<String> values = params("dryRun");
        for (String v : values) {
            if (!v.equals("All")) {
                throw ApiError.badRequest("Invalid dry run value: " + v);
            }
        }
        return !values.isEmpty();
    }

    String contentType() {
        String ct = http.getHeader("Content-Type");
        return ct == null ? "" : ct.split(";")[0].trim().toLowerCase();
    }

    /**
     * The value of parameter {@code key} ("as", "v", "g") of the first Accept entry whose
     * {@code as} parameter is one of {@code kinds}, or null. Entries are tried in order; a plain
     * JSON entry before any of them means the client prefers plain JSON.
     */
    String acceptParam(Set<String> kinds, String key) {
        String accept = http.getHeader("Accept");
        if (accept == null) {
            return null;
        }
        for (String entry : accept.split(",")) {
            String[] parts = entry.split(";");
            String media = parts[0].trim();
            String as = null;
            String value = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals("as")) {
                    as = kv[1];
                }
                if (kv.length == 2 && kv[0].equals(key)) {
                    value = kv[1];
                }
            }
            if (as != null && kinds.contains(as) && (media.equals("application/json") || media.equals("*/*"))) {
                return value;
            }
            if (as == null && (media.equals("application/json") || media.equals("*/*"))) {
                return null;
            }
        }
        return null;
    }

    void send(int code, JsonNode json) {
        send(code, "application/json", Json.buffer(json));
    }

    void send(int code, String contentType, Buffer body) {
        HttpServerResponse resp = http.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(code).putHeader("Content-Type", contentType).end(body);
    }

    void fail(ApiError e) {
        HttpServerResponse resp = http.response();
        if (resp.headWritten()) {
            resp.reset(); // an error after a streaming response started: nothing left to say
            return;
        }
        send(e.code, e.status());
    }

    /** Starts a chunked streaming response (watch, log follow); the head goes out at once. */
    HttpServerResponse stream(String contentType) {
        HttpServerResponse resp = http.response();
        resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", contentType);
        resp.writeHead();
        return resp;
    }

    boolean open() {
        HttpServerResponse resp = http.response();
        return !resp.ended() && !resp.closed();
    }
}
