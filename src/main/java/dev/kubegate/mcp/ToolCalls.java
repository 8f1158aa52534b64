package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import dev.kubegate.trail.ToolCallEntry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * {@code tools/call}: checks the tool and its arguments, runs it, and answers its result — as JSON,
 * or, when the client accepts SSE and something must come first (progress notifications of an
 * approval hold when it sent a progress token, an elicitation request when it answers them), as an
 * event stream that ends with the result. Every failure is a tool result with {@code isError: true};
 * the client leaving cancels the tool's API calls in flight. Every call leaves an audit record of
 * type {@code tool} ({@link ToolCallEntry}): kubegate's own tools wait for it (they have no other),
 * and no tool runs while the audit trail cannot record.
 */
final class ToolCalls {

    private static final Logger LOG = Logger.getLogger(ToolCalls.class);

    private final ToolCatalog catalog;
    private final KubernetesTools kubernetes;
    private final KubegateTools kubegate;
    private final Elicitations elicitations;
    private final AuditTrail audit;

    ToolCalls(ToolCatalog catalog, KubernetesTools kubernetes, KubegateTools kubegate, Elicitations elicitations, AuditTrail audit) {
        this.catalog = catalog;
        this.kubernetes = kubernetes;
        this.kubegate = kubegate;
        this.elicitations = elicitations;
        this.audit = audit;
    }

    void call(HttpServerRequest req, Principal principal, String authorization, String session, JsonNode id, JsonNode params) {
        HttpServerResponse resp = req.response();
        String name = params.path("name").asText("");
        JsonNode progressToken = params.path("_meta").get("progressToken");
        String accept = req.getHeader(HttpHeaders.ACCEPT);
        boolean sseOk = accept != null && accept.contains("text/event-stream");
        boolean wantsProgress = sseOk && progressToken != null && !progressToken.isNull();
        boolean elicits = sseOk && elicitations != null && McpSessions.elicits(session);
        Sse sse = wantsProgress || elicits ? new Sse(resp) : null;
        Consumer<String> progress = wantsProgress ? new Consumer<>() {
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
        ToolContext ctx = new ToolContext(name, principal, authorization, session, client, progress,
                elicits ? (c, message) -> elicitations.askJustification(c, message, sse::send) : null);
        resp.closeHandler(v -> ctx.cancel());
        long started = System.nanoTime();
        Future<String> result;
        try {
            String auditDown = audit.unavailable();
            if (auditDown != null) {
                throw new ToolError("kubegate cannot record tool calls right now (" + auditDown + "), so it runs none; retry shortly");
            }
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
        ownRecord(result, ctx, params.get("arguments"), started).onComplete(ar -> {
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
            if (sse != null && sse.started()) {
                sse.send(answer);
                sse.end();
            } else {
                McpEndpoint.json(resp, 200, answer);
            }
        });
    }

    /**
     * Writes the call's {@code tool} record. kubegate's own tools make no API call, so their result
     * waits for their record and is an error when it cannot be written; the Kubernetes tools' API
     * calls are recorded by the gateway before they reach the cluster, so their tool record is not waited for.
     */
    private Future<String> ownRecord(Future<String> result, ToolContext ctx, JsonNode arguments, long started) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        boolean own = ctx.tool.equals("policy_explain") || ctx.tool.equals("approval_status");
        return result.transform(ar -> {
            String message = ar.failed() ? (ar.cause() instanceof ToolError ? ar.cause().getMessage() : Status.describe(ar.cause())) : null;
            ToolCallEntry entry = new ToolCallEntry(ctx.callId, java.time.Instant.now(), ctx.principal, ctx.clientAddress, ctx.tool,
                    ctx.mcpSession, ArgumentSummary.of(arguments), ctx.justification(), ctx.elicitation(), ar.failed(), message,
                    java.time.Duration.ofNanos(System.nanoTime() - started));
            Future<Void> recorded = Future.fromCompletionStage(audit.toolCall(entry), context);
            if (!own) {
                recorded.onFailure(e -> LOG.errorf("audit record of MCP tool call %s (%s) could not be written: %s", ctx.callId, ctx.tool, e.getMessage()));
                return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
            }
            return recorded.transform(r -> r.failed()
                    ? Future.failedFuture(new ToolError("kubegate could not record this tool call, so it gives no answer: " + Status.describe(r.cause())))
                    : ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()));
        });
    }

    /** One SSE response: the progress notifications and elicitation requests of a tool call, then its result. */
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

        boolean started() {
            return resp.headWritten();
        }

        void end() {
            if (!resp.closed() && !resp.ended()) {
                resp.end();
            }
        }
    }
}
