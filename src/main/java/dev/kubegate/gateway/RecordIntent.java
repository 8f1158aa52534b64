package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.CompletionException;

/** Record the intent: a mutation goes upstream only once its intent record is durable (fail closed, 503); reads go at once. */
final class RecordIntent implements Step {

    private final AuditTrail audit;

    RecordIntent(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        Promise<Outcome> outcome = Promise.promise();
        audit.beforeForward(call.record).whenComplete((ok, notRecorded) -> call.onContext(() -> {
            if (notRecorded == null) {
                outcome.complete(Outcome.PROCEED);
                return;
            }
            Throwable cause = notRecorded instanceof CompletionException && notRecorded.getCause() != null
                    ? notRecorded.getCause() : notRecorded;
            outcome.complete(Outcome.refusal(Status.serviceUnavailable("kubegate cannot record this call, so it is refused: "
                    + Status.describe(cause))));
        }));
        return outcome.future();
    }
}
