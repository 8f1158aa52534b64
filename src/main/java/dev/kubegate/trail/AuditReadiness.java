package dev.kubegate.trail;

import dev.kubegate.audit.AuditLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the audit log accepts records (calls are refused with 503 otherwise). From memory: never
 * blocks. The same state is the gauge {@code kubegate_audit_ready} (1 accepting, 0 not), which alerts use.
 */
@Readiness
@ApplicationScoped
public class AuditReadiness implements HealthCheck {

    @Inject
    AuditTrail trail;

    void registerGauge(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("kubegate.audit.ready", this, r -> r.trail.unavailable() == null ? 1 : 0)
                .description("1 while the audit log (and its S3 sink) accepts records; 0 means every call is refused (503)")
                .strongReference(true).register(registry);
        Gauge.builder("kubegate.audit.unshipped.segments", this, r -> r.trail.shipper() == null ? 0 : r.trail.shipper().pendingSegments())
                .description("closed audit segments not yet shipped to S3 (0 with the file sink)")
                .strongReference(true).register(registry);
        Gauge.builder("kubegate.audit.unshipped.bytes", this, r -> r.trail.shipper() == null ? 0 : r.trail.shipper().pendingBytes())
                .description("bytes of closed audit segments not yet shipped to S3; past kubegate.audit.s3.max-pending calls are refused")
                .strongReference(true).register(registry);
        FunctionCounter.builder("kubegate.audit.export.dropped", this, r -> r.trail.export() == null ? 0 : r.trail.export().dropped())
                .description("Kubernetes audit events the SIEM export could not write (queue full or file error)")
                .register(registry);
        Gauge.builder("kubegate.audit.queued.records", this, r -> r.trail.log() == null ? 0 : r.trail.log().queued())
                .description("audit records accepted but not yet durable on disk")
                .strongReference(true).register(registry);
    }

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
