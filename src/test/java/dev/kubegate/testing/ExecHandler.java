package dev.kubegate.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.impl.Http1xServerConnection;

/**
 * {@code pods/exec}, {@code pods/attach} and {@code pods/portforward}.
 *
 * <ul>
 * <li>A WebSocket upgrade (subprotocol v5 or v4.channel.k8s.io) runs a scripted command in an
 * {@link ExecSession}. attach behaves like {@code cat}.</li>
 * <li>A SPDY/3.1 upgrade is answered with 101 and the connection then echoes every byte back. This
 * is NOT SPDY: it only proves that a gateway tunnels the opaque bytes of an upgraded connection
 * both ways. kubectl itself would not get a usable session from it.</li>
 * </ul>
 * Port forwarding over WebSocket is not offered (400), so kubectl falls back to SPDY.
 */
final class ExecHandler {
    private final FakeKubeApiServer server;
    private final Map<String, Map<String, String>> files = new HashMap<>();

    ExecHandler(FakeKubeApiServer server) {
        this.server = server;
    }

    void putFile(String namespace, String pod, String path, String content) {
        files.computeIfAbsent(ObjectStore.key(namespace, pod), k -> new HashMap<>()).put(path, content);
    }

    void handle(ApiRequest r) {
        ObjectNode pod = server.store.get(ApiCatalog.PODS, r.namespace, r.name);
        if (pod == null) {
            throw ApiError.notFound(ApiCatalog.PODS, r.name);
        }
        String upgrade = r.http.getHeader("Upgrade");
        String connection = r.http.getHeader("Connection");
        if (upgrade == null || connection == null || !connection.toLowerCase().contains("upgrade")) {
            throw ApiError.badRequest("Upgrade request required");
        }
        if (upgrade.toUpperCase().startsWith("SPDY/")) {
            tunnel(r);
            return;
        }
        if (!upgrade.equalsIgnoreCase("websocket") || r.subresource.equals("portforward")) {
            throw ApiError.badRequest("unsupported upgrade for " + r.subresource + ": " + upgrade);
        }
        String container = PodLogs.container(pod, r.param("container"));
        List<String> command = new ArrayList<>(r.params("command"));
        if (r.subresource.equals("exec") && command.isEmpty()) {
            throw ApiError.badRequest("you must specify at least one command for the container");
        }
        if (r.subresource.equals("attach")) {
            command = List.of("cat");
        }
        ExecSession.Streams streams = new ExecSession.Streams(r.flag("stdin"), r.flag("stdout"), r.flag("stderr"), r.flag("tty"));
        Map<String, String> podFiles = files.getOrDefault(ObjectStore.key(r.namespace, r.name), Map.of());
        List<String> argv = List.copyOf(command);
        Map<String, String> env = env(pod, container, r.namespace);
        r.http.toWebSocket().onSuccess(ws -> {
            r.recorded.status(101);
            server.openExecSessions.incrementAndGet();
            new ExecSession(server.vertx, ws, streams, argv, r.name, container, podFiles, env)
                    .start(server.openExecSessions::decrementAndGet);
        });
    }

    /**
     * The container's environment as the kubelet builds it: {@code envFrom} Secrets and ConfigMap-less
     * values first, then {@code env} ({@code value}, {@code valueFrom.secretKeyRef}), Secrets read
     * from the store.
     */
    private Map<String, String> env(ObjectNode pod, String container, String namespace) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
            for (com.fasterxml.jackson.databind.JsonNode c : pod.path("spec").path(list)) {
                if (!c.path("name").asText().equals(container)) {
                    continue;
                }
                for (com.fasterxml.jackson.databind.JsonNode from : c.path("envFrom")) {
                    ObjectNode secret = secret(namespace, from.path("secretRef").path("name").asText(null));
                    if (secret != null) {
                        secret.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), decode(e.getValue().asText())));
                    }
                }
                for (com.fasterxml.jackson.databind.JsonNode e : c.path("env")) {
                    com.fasterxml.jackson.databind.JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (ref.isObject()) {
                        ObjectNode secret = secret(namespace, ref.path("name").asText(null));
                        String v = secret == null ? null : secret.path("data").path(ref.path("key").asText()).asText(null);
                        if (v != null) {
                            env.put(e.path("name").asText(), decode(v));
                        }
                    } else if (e.has("value")) {
                        env.put(e.path("name").asText(), e.path("value").asText());
                    }
                }
            }
        }
        return env;
    }

    private ObjectNode secret(String namespace, String name) {
        return name == null ? null : server.store.get(ApiCatalog.find("", "v1", "secrets").orElseThrow(), namespace, name);
    }

    private static String decode(String base64) {
        return new String(java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Answers 101 and echoes the raw connection. Vert.x's public {@code toNetSocket()} only upgrades
     * GET (and CONNECT), but client-go's SPDY executor POSTs, so the connection is taken over through
     * Vert.x's HTTP/1.x connection implementation and the 101 head is written by hand.
     */
    private void tunnel(ApiRequest r) {
        if (!(r.http.connection() instanceof Http1xServerConnection conn)) {
            throw ApiError.badRequest("SPDY upgrades need HTTP/1.1");
        }
        String head = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + r.http.getHeader("Upgrade")
                + "\r\nX-Stream-Protocol-Version: " + firstNonNull(r.http.getHeader("X-Stream-Protocol-Version"), "") + "\r\n\r\n";
        conn.netSocket().onSuccess(socket -> {
            r.recorded.status(101);
            server.openExecSessions.incrementAndGet();
            socket.closeHandler(v -> server.openExecSessions.decrementAndGet());
            socket.write(Buffer.buffer(head));
            socket.pipeTo(socket);
        }).onFailure(e -> conn.close());
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
