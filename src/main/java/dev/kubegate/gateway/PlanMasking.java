package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;

/**
 * Plan masking: the decision's mask becomes the answer's plan. Planned before any approval is asked
 * for: a call kubegate could not mask is refused outright. A pod's logs or exec output first learns
 * the values of the Secrets the pod can read (fail closed: 503).
 */
final class PlanMasking implements Step {

    private final KnownValueResolver knownValues;

    PlanMasking(KnownValueResolver knownValues) {
        this.knownValues = knownValues;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        ResponseMasking masking = ResponseMasking.plan(call.info, call.upgrade, call.req.getHeader(HttpHeaders.UPGRADE),
                call.decision.mask()).knowing(call.current);
        if (masking.refusal() != null) {
            return Outcome.refuse(masking.refusal());
        }
        masking.prepare(call.upstreamHeaders);
        call.masking = masking;
        if (!masking.needsKnownValues() || !knownValues.enabled()) {
            return Outcome.proceed();
        }
        // Masked by value, so the values must be known before the first byte flows.
        Promise<Outcome> outcome = Promise.promise();
        knownValues.forPod(call.runtime.upstream(), call.info.namespace(), call.info.name()).onComplete(values -> call.onContext(() -> {
            if (values.failed()) {
                outcome.complete(Outcome.refusal(Status.serviceUnavailable("kubegate must mask the values of the Secrets pod \""
                        + call.info.name() + "\" can read in its " + call.info.subresource() + " output and could not read them: "
                        + Status.describe(values.cause()) + "; the call is refused")));
                return;
            }
            call.masking = masking.withKnownValues(values.result());
            outcome.complete(Outcome.PROCEED);
        }));
        return outcome.future();
    }
}
