package dev.kubegate.mcp;

import dev.kubegate.approval.ApprovalLinks;
import dev.kubegate.approval.ApprovalRequest;
import dev.kubegate.approval.ApprovalService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Optional;

/**
 * While a tool's API call is held for approval, tells the client so through progress notifications
 * ("waiting for approval ap-…, open <url>"). The gateway holds the call as it holds kubectl's; this
 * only watches for the pending request the call raised: the same principal, verb and object.
 * It reads the state store every second until it finds it, then repeats the notice every few seconds
 * (progress must keep moving) until the call ends.
 */
final class ApprovalProgress {

    private static final long FIRST_LOOK_MS = 300;
    private static final long LOOK_EVERY_MS = 1000;
    private static final long REPEAT_EVERY_MS = 5000;

    private final Vertx vertx;
    private final ApprovalService approvals;

    ApprovalProgress(Vertx vertx, ApprovalService approvals) {
        this.vertx = vertx;
        this.approvals = approvals;
    }

    /** The call whose approval to watch for. */
    record Watched(String verb, String resource, String subresource, String namespace, String name) {
        boolean matches(ApprovalRequest r, String principalId) {
            ApprovalRequest.Request q = r.request();
            return principalId.equals(r.requester().principalId()) && verb.equals(q.verb()) && resource.equals(q.resource())
                    && subresource.equals(q.subresource()) && name.equals(q.name())
                    // the API server's RequestInfo puts a namespace's own name in its namespace field
                    && (namespace.equals(q.namespace()) || "namespaces".equals(resource) && q.namespace().equals(name));
        }
    }

    /** Watches while {@code call} runs; returns {@code call}. */
    <T> Future<T> during(ToolContext ctx, Watched watched, Future<T> call) {
        if (!ctx.wantsProgress() || approvals == null) {
            return call;
        }
        io.vertx.core.Context vctx = vertx.getOrCreateContext();
        long started = System.currentTimeMillis();
        String[] found = {null};
        long[] timer = {0};
        Runnable[] look = new Runnable[1];
        look[0] = () -> {
            if (call.isComplete()) {
                return;
            }
            if (found[0] != null) {
                ctx.progress(found[0] + " (" + (System.currentTimeMillis() - started) / 1000 + "s)");
                timer[0] = vertx.setTimer(REPEAT_EVERY_MS, t -> look[0].run());
                return;
            }
            approvals.list(Optional.of(ApprovalRequest.PENDING)).subscribe().with(pending -> vctx.runOnContext(v -> {
                if (call.isComplete()) {
                    return;
                }
                pending.stream().filter(r -> watched.matches(r, ctx.principal.id())).findFirst().ifPresent(r -> {
                    found[0] = "waiting for approval " + r.id() + " of " + r.request().describe() + " by "
                            + String.join(" or ", r.approverGroups()) + ": "
                            + (r.url() == null ? "" : "open " + r.url() + " or ") + "run '" + ApprovalLinks.command(r.id()) + "'";
                    ctx.progress(found[0]);
                });
                timer[0] = vertx.setTimer(found[0] != null ? REPEAT_EVERY_MS : LOOK_EVERY_MS, t -> look[0].run());
            }), e -> timer[0] = vertx.setTimer(LOOK_EVERY_MS, t -> look[0].run()));
        };
        timer[0] = vertx.setTimer(FIRST_LOOK_MS, t -> look[0].run());
        call.onComplete(ar -> vertx.cancelTimer(timer[0]));
        return call;
    }
}
