package dev.kubegate.hatches;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.stream.Collectors;

/**
 * The latest escape-hatch report as readiness data. Always UP: an agent's RBAC rights are the
 * operator's to fix, and taking replicas out of service would only cut agents off from the gateway
 * that guards them. Answers from memory.
 */
@Readiness
@ApplicationScoped
public class HatchReadiness implements HealthCheck {

    private static final int MAX_LISTED = 20;

    @Inject
    HatchWatch watch;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("rbac-escape-hatches").up().withData("enabled", watch.enabled());
        HatchWatch.Latest latest = watch.latest();
        if (latest == null) {
            return b.withData("detail", watch.enabled() ? "not checked yet" : "kubegate.rbac-check.enabled=false").build();
        }
        b.withData("checkedAt", latest.at().toString());
        if (latest.report() == null) {
            return b.withData("error", latest.error()).build();
        }
        HatchReport r = latest.report();
        b.withData("hatches", r.hatches().size()).withData("findings", r.findings().size());
        if (!r.hatches().isEmpty()) {
            b.withData("escapeHatches", r.hatches().stream().limit(MAX_LISTED)
                    .map(f -> f.principal() + " " + f.kind() + " " + (f.namespace().isEmpty() ? "(cluster)" : f.namespace()) + ": " + f.detail())
                    .collect(Collectors.joining("; ")));
        }
        if (!r.errors().isEmpty()) {
            b.withData("errors", String.join("; ", r.errors()));
        }
        return b.build();
    }
}
