package dev.kubegate.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a policy is loaded; reports its revision, and why the last change was rejected. */
@Readiness
@ApplicationScoped
public class PolicyReadiness implements HealthCheck {

    @Inject
    PolicyService service;

    @Override
    public HealthCheckResponse call() {
        PolicyEngine e = service.engine();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("policy");
        if (e == null) {
            return r.down().withData("detail", "the policy engine is not started").build();
        }
        e.loaded().ifPresentOrElse(l -> r.up()
                        .withData("revision", l.revision())
                        .withData("dataRevision", l.dataRevision())
                        .withData("source", l.source())
                        .withData("mode", l.mode())
                        .withData("loadedAt", l.loadedAt().toString()),
                () -> r.down());
        e.lastError().ifPresent(err -> r.withData("lastError", err));
        return r.build();
    }
}
