package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.Status;
import dev.kubegate.trail.ToolCallMarker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The one way a tool reaches Kubernetes: an HTTPS call into this kubegate's own listener on the
 * loopback address, with the agent's own {@code Authorization} header, so the call goes through the
 * whole pipeline (authentication, classification, policy, approval, masking, audit) like kubectl's,
 * and nothing a tool does can get around it. The call carries {@link ToolCallMarker}'s headers for its
 * audit record. One pooled client (keep-alive, HTTP/1.1) serves every tool, exec's WebSocket
 * included; it trusts only the certificate this gateway serves (or its generated CA), so the agent's
 * credential goes nowhere else. The host name is not checked: the address is this process's own
 * socket on 127.0.0.1 (or the configured listen address), which an operator's certificate may not name.
 */
final class Loopback {

    /** An API answer as read (masked by the gateway); {@code body} never exceeds the answer limit. */
    record Answer(int status, String contentType, Buffer body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            try {
                return JsonRpc.JSON.readTree(body.getBytes());
            } catch (java.io.IOException e) {
                throw new ToolError("kubegate could not read the API answer (HTTP " + status + "): " + e.getMessage());
            }
        }

        /** The tool error for a refused call: the Status message of the gateway or the API server. */
        ToolError error() {
            String message = null;
            String approval = null;
            try {
                JsonNode s = JsonRpc.JSON.readTree(body.getBytes());
                message = s.path("message").asText(null);
                if ("approvals".equals(s.path("details").path("kind").asText())) {
                    approval = s.path("details").path("name").asText(null);
                }
            } catch (java.io.IOException | RuntimeException ignored) {
                // not a Status: the plain text below
            }
            if (message == null || message.isBlank()) {
                String text = body.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
                message = text.isEmpty() ? "HTTP " + status + " " + Status.reasonFor(status) : text;
            }
            String prefix = "HTTP " + status + " " + Status.reasonFor(status) + ": ";
            if (approval != null) {
                // The gateway's message says to retry the same command; for an agent that is the same tool call.
                return new ToolError(prefix + message + " For this MCP tool: approval id " + approval
                        + "; once it is approved, call the same tool with the same arguments again.");
            }
            return new ToolError(prefix + message);
        }
    }

    private final HttpClient client;
    private final String host;
    private final int configuredPort;
    private volatile int port;
    private final long maxAnswer;

    Loopback(Vertx vertx, String host, int port, long maxAnswer, java.nio.file.Path trusted) {
        HttpClientOptions options = new HttpClientOptions();
        if (io.vertx.core.net.OpenSSLEngineOptions.isAvailable()) {
            // BoringSSL, as the listener uses: each tool call's bytes are encrypted and decrypted twice more.
            options.setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
        }
        this.client = vertx.createHttpClient(options.setSsl(true)
                .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(trusted.toString())).setVerifyHost(false)
                .setKeepAlive(true).setDecompressionSupported(false).setMaxWebSocketMessageSize(8 * 1024 * 1024),
                new PoolOptions().setHttp1MaxSize(64));
        this.host = host;
        this.configuredPort = port;
        this.maxAnswer = maxAnswer;
    }

    Future<Answer> get(ToolContext ctx, String uri) {
        return call(ctx, HttpMethod.GET, uri, null, null);
    }

    /** Sends one API call for {@code ctx}; fails only when kubegate itself cannot be reached or the answer is too large. */
    Future<Answer> call(ToolContext ctx, HttpMethod method, String uri, String contentType, Buffer body) {
        if (ctx.cancelled()) {
            return Future.failedFuture(new ToolError("the client went away"));
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", ctx.authorization)
                .add("Accept", "application/json")
                .add("User-Agent", "kubegate-mcp/" + ctx.tool);
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        ToolCallMarker.mark(headers, ctx.mark());
        RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port()).setURI(uri).setHeaders(headers);
        Promise<Answer> answer = Promise.promise();
        client.request(options).onFailure(e -> answer.tryFail(unreachable(e))).onSuccess(req -> {
            ctx.started(req);
            req.exceptionHandler(e -> answer.tryFail(unreachable(e)));
            req.response().onFailure(e -> answer.tryFail(unreachable(e))).onSuccess(resp -> {
                Buffer buf = Buffer.buffer();
                resp.handler(chunk -> {
                    if (buf.length() + chunk.length() > maxAnswer) {
                        answer.tryFail(new ToolError("the API answer is larger than kubegate's MCP tools read ("
                                + maxAnswer + " bytes, kubegate.mcp.max-answer); narrow the call (a namespace, a labelSelector or a fieldSelector)"));
                        req.reset();
                        return;
                    }
                    buf.appendBuffer(chunk);
                });
                resp.exceptionHandler(e -> answer.tryFail(unreachable(e)));
                resp.endHandler(v -> {
                    ctx.ended(req);
                    answer.tryComplete(new Answer(resp.statusCode(), resp.getHeader("Content-Type"), buf));
                });
            });
            if (body == null) {
                req.end();
            } else {
                req.end(body);
            }
        });
        return answer.future();
    }

    private static Throwable unreachable(Throwable e) {
        return e instanceof ToolError ? e : new ToolError("kubegate could not complete the API call: " + Status.describe(e));
    }

    HttpClient client() {
        return client;
    }

    /** Learns the listener's port from an MCP request that came over HTTPS (when it was configured as 0: any free port). */
    void arrivedOn(io.vertx.core.http.HttpServerRequest req) {
        if (configuredPort == 0 && port == 0 && req.isSSL() && req.localAddress() != null) {
            port = req.localAddress().port();
        }
    }

    String host() {
        return host;
    }

    /**
     * The listener's port: the configured one, or, with {@code quarkus.http.ssl-port=0}, the one the
     * MCP requests arrive on ({@link #arrivedOn}).
     */
    int port() {
        return configuredPort != 0 ? configuredPort : port;
    }

    void close() {
        client.close();
    }
}
