package dev.kubegate.gateway;

import dev.kubegate.identity.session.SessionCounters;
import dev.kubegate.inspect.Inspection;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.policy.PolicyInput;
import dev.kubegate.policy.PolicyService;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Decide: the policy input is built and evaluated; 503 when policy cannot decide, 403 on a deny
 * ({@link Decisions}). A call that needs approval goes on: the {@link Approve} step holds it.
 */
final class Decide implements Step {

    private final PolicyService policy;
    /** Per-session counters shared through the state store (flushed every second, no store call here). */
    private final SessionCounters counters;

    Decide(PolicyService policy, SessionCounters counters) {
        this.policy = policy;
        this.counters = counters;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        CompletionStage<PolicyDecision> decision;
        try {
            decision = policy.decide(input(call));
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        Promise<Outcome> outcome = Promise.promise();
        decision.whenComplete((d, failure) -> call.onContext(() -> outcome.complete(decided(call, d, failure))));
        return outcome.future();
    }

    private PolicyInput input(CallContext call) {
        Inspection inspection = call.inspection;
        SessionCounters.Snapshot s = counters.snapshot(call.principal);
        return new PolicyInput(call.principal, PolicyInput.Request.of(call.info, call.query, inspection.options(), inspection.object()),
                inspection.object(), call.current, inspection.object() == null ? null
                : PolicyInput.podSpecPath(call.info.apiGroup(), call.info.resource(), call.info.subresource()).orElse(null),
                new PolicyInput.Stats(s.requests(), s.mutations(), s.deletes(), s.denied()), Instant.now(), call.tokenSecrets);
    }

    private Outcome decided(CallContext call, PolicyDecision d, Throwable failure) {
        call.policySpan.setAttribute("kubegate.policy.allow", d != null && d.allow());
        policy.engine().revision().ifPresent(r -> call.policySpan.setAttribute("kubegate.policy.revision", r));
        call.policySpan.end();
        if (failure != null) {
            call.record.decisionFailed(policy.engine().revision().orElse(null));
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            return Outcome.refusal(Status.serviceUnavailable("kubegate could not decide on this call, so it is refused: "
                    + Status.describe(cause)));
        }
        counters.record(call.principal, call.info, !d.allow());
        call.record.decided(d, policy.engine().revision().orElse(null));
        call.decision = d;
        if (!d.allow() && !needsApproval(d)) {
            return Outcome.refusal(Decisions.refusal(d, call.info, call.principal));
        }
        return Outcome.PROCEED;
    }

    /** Denied unless a human approves it. */
    static boolean needsApproval(PolicyDecision d) {
        return !d.allow() && d.approval().required();
    }
}
