package dev.kubegate.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check {@code store}: down while the state store cannot answer (requests would fail closed). */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    StateStoreProducer stores;

    @Override
    public HealthCheckResponse call() {
        StateStore s = stores.current();
        if (s == null) {
            return HealthCheckResponse.named("store").down().withData("detail", "the state store is not open").build();
        }
        boolean up = s.available();
        return HealthCheckResponse.named("store").status(up).withData("store", s.describe())
                .withData("detail", up ? "answering" : "unreachable: calls that need shared state fail closed (503)").build();
    }
}
