package dev.kubegate.approval.oidc;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN, with the reason, while the approvers' OIDC issuer is configured but not usable. */
@Readiness
@ApplicationScoped
public class OidcReadiness implements HealthCheck {

    @Inject
    OidcApprovers oidc;

    @Override
    public HealthCheckResponse call() {
        if (!oidc.configured()) {
            return HealthCheckResponse.named("approvers-oidc").up().withData("detail", "off").build();
        }
        String problem = oidc.problem();
        return problem == null
                ? HealthCheckResponse.named("approvers-oidc").up().withData("issuer", oidc.provider().map(OidcProvider::issuer).orElse("")).build()
                : HealthCheckResponse.named("approvers-oidc").down().withData("reason", problem).build();
    }
}
