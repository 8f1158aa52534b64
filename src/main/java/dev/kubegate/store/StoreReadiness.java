package dev.kubegate.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@code store}: down while the state store cannot answer (requests would fail closed).
 * The same state is the gauge {@code kubegate_store_available} (1 answering, 0 not), which alerts use.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    StateStoreProducer stores;

    void registerGauge(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("kubegate.store.available", this, r -> r.available() ? 1 : 0)
                .description("1 while the state store answers; 0 means calls that need shared state are refused (503)")
                .strongReference(true).register(registry);
        Gauge.builder("kubegate.store.lag.seconds", this, r -> r.lagSeconds())
                .description("seconds since the state store's change feed last proved it delivers other replicas' changes (0 without a feed)")
                .strongReference(true).register(registry);
    }

    private double lagSeconds() {
        StateStore s = stores.current();
        return s == null ? 0 : s.lag().toNanos() / 1e9;
    }

    private boolean available() {
        StateStore s = stores.current();
        return s != null && s.available();
    }

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
