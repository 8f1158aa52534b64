package dev.kubegate.gateway;

import dev.kubegate.upstream.UpstreamProbe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the configuration loaded (the gateway started) and the API server's {@code /readyz}
 * answered 200 to the gateway's own identity in the last probe. Answers from memory: never blocks.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    @Inject
    GatewayRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        GatewayRuntime.Started s = runtime.current();
        if (s == null) {
            return HealthCheckResponse.named("kubernetes-api").down().withData("detail", "kubegate is not started").build();
        }
        if (runtime.stopping()) {
            // Unready first, so load balancers drain this replica while it still serves (kubegate.shutdown.*).
            return HealthCheckResponse.named("kubernetes-api").down().withData("detail", "kubegate is stopping").build();
        }
        UpstreamProbe.Result r = s.probe().last();
        return HealthCheckResponse.named("kubernetes-api")
                .status(r.ok())
                .withData("upstream", s.upstream().describe())
                .withData("detail", r.detail())
                .withData("checkedAt", r.at().toString())
                .build();
    }
}
