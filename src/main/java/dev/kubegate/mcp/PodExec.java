package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.Status;
import dev.kubegate.trail.ToolCallMarker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * pods_exec: a non-interactive exec over WebSocket ({@code v4.channel.k8s.io}, as kubectl speaks it)
 * into the gateway over loopback, so policy, approval, masking and the exec recording apply. No
 * stdin, no TTY; output is kept up to {@code kubegate.mcp.max-output} characters and the session is
 * closed after {@code kubegate.mcp.exec-timeout}. It shares {@link Loopback}'s client (its pool and its
 * pinned trust in this gateway's own serving certificate).
 */
final class PodExec {

    private static final String PROTOCOL = "v4.channel.k8s.io";

    private final Vertx vertx;
    private final Loopback api;
    private final long maxOutput;
    private final Duration timeout;

    PodExec(Vertx vertx, Loopback api, long maxOutput, Duration timeout) {
        this.vertx = vertx;
        this.api = api;
        this.maxOutput = maxOutput;
        this.timeout = timeout;
    }

    Future<String> run(ToolContext ctx, String namespace, String pod, String container, List<String> command) {
        Map<String, Object> q = ApiPaths.params();
        StringBuilder query = new StringBuilder();
        for (String c : command) {
            query.append(query.length() == 0 ? "?" : "&").append("command=")
                    .append(java.net.URLEncoder.encode(c, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        q.put("container", container == null ? null : ApiPaths.name("container", container));
        q.put("stdout", "true");
        q.put("stderr", "true");
        String rest = ApiPaths.query(q);
        String uri = "/api/v1/namespaces/" + ApiPaths.name("namespace", namespace) + "/pods/" + pod + "/exec"
                + query + "&" + rest.substring(1);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", ctx.authorization)
                .add("User-Agent", "kubegate-mcp/" + ctx.tool);
        ToolCallMarker.mark(headers, ctx.mark());
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(api.host()).setPort(api.port()).setSsl(true)
                .setURI(uri).setHeaders(headers).setSubProtocols(List.of(PROTOCOL)).setTimeout(timeout.toMillis());
        Promise<String> result = Promise.promise();
        StringBuilder out = new StringBuilder();
        boolean[] cut = {false};
        String[] error = {null};
        api.client().webSocket(options).onFailure(e -> result.tryFail(rejected(e))).onSuccess(ws -> {
            long timer = vertx.setTimer(timeout.toMillis(), t -> {
                out.append("\n... (the command was stopped after ").append(timeout.toSeconds()).append("s, kubegate.mcp.exec-timeout)");
                ws.close();
            });
            ws.binaryMessageHandler(msg -> {
                if (msg.length() == 0) {
                    return;
                }
                int channel = msg.getByte(0);
                String text = msg.getString(1, msg.length(), "UTF-8");
                if (channel == 1 || channel == 2) {
                    if (out.length() + text.length() > maxOutput) {
                        text = text.substring(0, (int) Math.max(0, maxOutput - out.length()));
                        cut[0] = true;
                    }
                    out.append(text);
                } else if (channel == 3) {
                    error[0] = failure(text);
                }
            });
            ws.exceptionHandler(e -> result.tryFail(new ToolError("the exec session failed: " + Status.describe(e))));
            ws.closeHandler(v -> {
                vertx.cancelTimer(timer);
                if (cut[0]) {
                    out.append("\n... (output cut at ").append(maxOutput).append(" characters, kubegate.mcp.max-output)");
                }
                if (error[0] != null) {
                    result.tryFail(new ToolError(error[0] + (out.length() == 0 ? "" : "\noutput:\n" + out)));
                } else {
                    result.tryComplete(out.toString());
                }
            });
        });
        return result.future();
    }

    /** The v4 error channel: a Status; Success is no error. */
    private static String failure(String statusJson) {
        try {
            JsonNode s = JsonRpc.JSON.readTree(statusJson);
            if ("Success".equals(s.path("status").asText())) {
                return null;
            }
            return "the command failed: " + s.path("message").asText(statusJson);
        } catch (java.io.IOException e) {
            return "the command failed: " + statusJson;
        }
    }

    private static Throwable rejected(Throwable e) {
        if (e instanceof UpgradeRejectedException u) {
            Buffer body = u.getBody() == null ? Buffer.buffer() : u.getBody();
            return new Loopback.Answer(u.getStatus(), null, body).error();
        }
        return new ToolError("kubegate could not open the exec session: " + Status.describe(e));
    }
}
