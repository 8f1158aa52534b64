package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * {@code tools/call}: checks the tool and its arguments, runs it, and answers its result — as JSON,
 * or, when the client sent a progress token and accepts SSE, as an event stream whose progress
 * notifications (approval holds) come before the result. Every failure is a tool result with
 * {@code isError: true}; the client leaving cancels the tool's API calls in flight.
 */
final class ToolCalls {

    private static final Logger LOG = Logger.getLogger(ToolCalls.class);

    private final ToolCatalog catalog;
    private final KubernetesTools kubernetes;
    private final KubegateTools kubegate;

    ToolCalls(ToolCatalog catalog, KubernetesTools kubernetes, KubegateTools kubegate) {
        this.catalog = catalog;
        this.kubernetes = kubernetes;
        this.kubegate = kubegate;
    }

    void call(HttpServerRequest req, Principal principal, String authorization, String session, JsonNode id, JsonNode params) {
        HttpServerResponse resp = req.response();
        String name = params.path("name").asText("");
        JsonNode progressToken = params.path("_meta").get("progressToken");
        String accept = req.getHeader(HttpHeaders.ACCEPT);
        boolean stream = progressToken != null && !progressToken.isNull() && accept != null && accept.contains("text/event-stream");
        Sse sse = stream ? new Sse(resp) : null;
        Consumer<String> progress = stream ? new Consumer<>() {
            private int n;

            @Override
            public void accept(String text) {
                ObjectNode p = JsonRpc.JSON.createObjectNode();
                p.set("progressToken", progressToken);
                p.put("progress", ++n).put("message", text);
                sse.send(JsonRpc.notification("notifications/progress", p));
            }
        } : null;
        String client = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        ToolContext ctx = new ToolContext(name, principal, authorization, session, client, progress);
        resp.closeHandler(v -> ctx.cancel());
        Future<String> result;
        try {
            if (!catalog.has(name)) {
                throw new ToolError("unknown tool \"" + name + "\"; tools/list names the tools kubegate serves");
            }
            Arguments args = Arguments.check(name, catalog.schema(name), params.get("arguments"));
            result = switch (name) {
                case "policy_explain" -> kubegate.explain(ctx, args);
                case "approval_status" -> kubegate.approvalStatus(ctx, args);
                default -> kubernetes.call(ctx, name, args);
            };
        } catch (ToolError e) {
            result = Future.failedFuture(e);
        } catch (RuntimeException e) {
            LOG.warnf(e, "MCP tool %s failed", name);
            result = Future.failedFuture(new ToolError("kubegate failed to run " + name + ": " + Status.describe(e)));
        }
        result.onComplete(ar -> {
            ObjectNode toolResult;
            if (ar.succeeded()) {
                toolResult = JsonRpc.toolResult(ar.result(), false);
            } else {
                Throwable e = ar.cause();
                if (!(e instanceof ToolError)) {
                    LOG.warnf(e, "MCP tool %s failed", name);
                }
                toolResult = JsonRpc.toolResult(e instanceof ToolError ? e.getMessage()
                        : "kubegate failed to run " + name + ": " + Status.describe(e), true);
            }
            ObjectNode answer = JsonRpc.result(id, toolResult);
            if (sse != null) {
                sse.send(answer);
                sse.end();
            } else {
                McpEndpoint.json(resp, 200, answer);
            }
        });
    }

    /** One SSE response: the progress notifications of a tool call, then its result. */
    static final class Sse {
        private final HttpServerResponse resp;

        Sse(HttpServerResponse resp) {
            this.resp = resp;
        }

        void send(ObjectNode message) {
            if (resp.closed() || resp.ended()) {
                return;
            }
            if (!resp.headWritten()) {
                resp.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream");
            }
            resp.write("event: message\ndata: " + message + "\n\n");
        }

        void end() {
            if (!resp.closed() && !resp.ended()) {
                resp.end();
            }
        }
    }
}
