package dev.kubegate.gateway;

import dev.kubegate.approval.ApprovalGate;
import dev.kubegate.inspect.BodyReader;
import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * Approve, when the decision requires it: the call is held by the {@link ApprovalGate} until a
 * human decides, and refused (403 with the approval id) otherwise. Sets the body to forward.
 */
final class Approve implements Step {

    private final ApprovalGate approvals;
    private final GatewayMetrics metrics;
    private final long maxBodyBytes;

    Approve(ApprovalGate approvals, GatewayMetrics metrics, long maxBodyBytes) {
        this.approvals = approvals;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        if (!Decide.needsApproval(call.decision)) {
            call.body = call.inspection.body();
            return Outcome.proceed();
        }
        metrics.heldForApproval.incrementAndGet();
        Promise<Outcome> outcome = Promise.promise();
        approvals.hold(held(call), new Client(call, maxBodyBytes)).onComplete(held -> call.onContext(() -> {
            metrics.heldForApproval.decrementAndGet();
            if (held.succeeded() && held.result().proceed()) {
                call.record.approval(held.result().approvalId(), held.result().approvers());
                call.body = call.upgrade ? null : held.result().body();
                outcome.complete(Outcome.PROCEED);
            } else {
                outcome.complete(Outcome.refusal(held.succeeded() ? held.result().refusal()
                        : Status.serviceUnavailable("kubegate could not hold the call for approval: " + Status.describe(held.cause()))));
            }
        }));
        return outcome.future();
    }

    private static ApprovalGate.Call held(CallContext call) {
        ApprovalGate.Request request = new ApprovalGate.Request(call.req.method().name(), call.req.uri(), call.req.path(),
                call.req.getHeader(HttpHeaders.CONTENT_TYPE), call.info, call.query);
        return new ApprovalGate.Call(request, call.principal, call.decision, call.current, call.runtime.dryRun(), call.upstreamHeaders,
                call.record.mcpJustification(), call.record.mcpAsksJustificationFirst());
    }

    /** The held call's client connection. */
    private record Client(CallContext call, long maxBodyBytes) implements ApprovalGate.Caller {

        @Override
        public Future<Buffer> body() {
            // The digest covers the body, so it is read now if inspection did not (a DELETE's options).
            // An upgrade (exec, attach, port-forward) has none: its stream starts only once forwarded.
            Buffer read = call.inspection.body();
            return read != null ? Future.succeededFuture(read)
                    : call.upgrade ? Future.succeededFuture(Buffer.buffer()) : BodyReader.read(call.req, maxBodyBytes);
        }

        @Override
        public void whenGone(Runnable action) {
            call.req.response().closeHandler(v -> action.run());
        }
    }
}
