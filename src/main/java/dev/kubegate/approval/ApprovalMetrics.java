package dev.kubegate.approval;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kubegate_approvals_pending}: approval requests waiting for a human decision, as the state
 * store has them (shared: every replica reports the same number, so dashboards take {@code max}).
 * Counted every {@link #REFRESH_MS} ms off the request path; -1 while the store cannot answer.
 */
@ApplicationScoped
public class ApprovalMetrics {

    private static final Logger LOG = Logger.getLogger(ApprovalMetrics.class);
    static final long REFRESH_MS = 10_000;

    @Inject
    ApprovalService approvals;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private final AtomicLong pending = new AtomicLong();

    void register(@Observes StartupEvent event, MeterRegistry registry) {
        if (!serving) {
            return; // a CLI command, not the gateway
        }
        Gauge.builder("kubegate.approvals.pending", pending, AtomicLong::get)
                .description("approval requests waiting for a decision (cluster-wide, from the state store; -1: store unreachable)")
                .strongReference(true).register(registry);
        refresh();
        vertx.setPeriodic(REFRESH_MS, t -> refresh());
    }

    private void refresh() {
        approvals.list(Optional.of(ApprovalRequest.PENDING)).subscribe().with(l -> pending.set(l.size()), e -> {
            pending.set(-1);
            LOG.debugf("pending approvals gauge: %s", e.getMessage());
        });
    }
}
