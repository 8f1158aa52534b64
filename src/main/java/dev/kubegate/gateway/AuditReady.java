package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import io.vertx.core.Future;

/** Can we record? While the audit log cannot write, every call is refused with 503. */
final class AuditReady implements Step {

    private final AuditTrail audit;

    AuditReady(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        String auditDown = audit.unavailable();
        return auditDown == null ? Outcome.proceed()
                : Outcome.refuse(Status.serviceUnavailable("kubegate cannot record calls right now, so it refuses them: " + auditDown));
    }
}
