package dev.kubegate.audit.trail;

import dev.kubegate.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the audit log accepts records (calls are refused with 503 otherwise). From memory: never blocks. */
@Readiness
@ApplicationScoped
public class AuditReadiness implements HealthCheck {

    @Inject
    AuditTrail trail;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("audit");
        if (!trail.enabled()) {
            return b.up().withData("enabled", false).build();
        }
        String why = trail.unavailable();
        b.status(why == null);
        if (why != null) b.withData("detail", why);
        AuditLog l = trail.log();
        if (l != null) {
            b.withData("stream", l.stream()).withData("durableSeq", l.durableSeq()).withData("queued", l.queued());
            if (l.lastCheckpointAt() != null) b.withData("lastCheckpoint", l.lastCheckpointAt().toString());
        }
        var sh = trail.shipper();
        if (sh != null) {
            b.withData("s3PendingBytes", sh.pendingBytes()).withData("s3ObjectLock", sh.objectLock());
            if (sh.lastError() != null) b.withData("s3Error", sh.lastError());
        }
        return b.build();
    }
}
