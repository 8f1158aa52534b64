package dev.kubegate.hatches;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.gateway.GatewayRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the escape-hatch report inside the gateway every {@code kubegate.rbac-check.interval}, and
 * publishes it as the gauge {@code kubegate_rbac_escape_hatches{principal,kind}} (escape hatches only,
 * not informational findings; a pair that disappears goes to 0) and as data of the readiness check
 * {@link HatchReadiness}. The files are read on a worker thread and the reviews are non-blocking calls,
 * so the event loop never waits; a run still going when the next is due is not started twice.
 */
@ApplicationScoped
public class HatchWatch {

    private static final Logger LOG = Logger.getLogger(HatchWatch.class);

    /** The latest outcome: a report, or why there is none. */
    public record Latest(HatchReport report, String error, Instant at) {
    }

    @Inject
    GatewayRuntime runtime;

    @Inject
    KubegateConfig config;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private final Map<List<String>, AtomicInteger> gauges = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Latest latest;
    private volatile int lastLoggedHatches = -1;
    private long timer = -1;

    /** After GatewayRuntime's start-up observer, which builds the upstream client this uses. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (!serving || !config.rbacCheck().enabled()) {
            return;
        }
        long interval = Math.max(1_000, config.rbacCheck().interval().toMillis());
        vertx.setTimer(Math.min(interval, 60_000), id -> {
            run();
            timer = vertx.setPeriodic(interval, t -> run());
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public boolean enabled() {
        return serving && config.rbacCheck().enabled();
    }

    /** Null until the first run ended. */
    public Latest latest() {
        return latest;
    }

    void run() {
        GatewayRuntime.Started started = runtime.current();
        if (started == null || !running.compareAndSet(false, true)) {
            return;
        }
        vertx.<List<AgentSubject>>executeBlocking(() -> ConfiguredAgents.load(config), false)
                .compose(subjects -> new RbacChecker(started.upstream(), Clock.systemUTC()).check(subjects))
                .onComplete(ar -> {
                    running.set(false);
                    if (ar.succeeded()) {
                        publish(ar.result());
                    } else {
                        latest = new Latest(null, ar.cause().getMessage(), Instant.now());
                        LOG.warnf("the escape-hatch report could not run: %s", ar.cause().getMessage());
                    }
                });
    }

    private void publish(HatchReport report) {
        Map<List<String>, Integer> counts = report.hatchCounts();
        gauges.forEach((key, gauge) -> gauge.set(counts.getOrDefault(key, 0)));
        counts.forEach((key, n) -> gauges.computeIfAbsent(key, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("kubegate.rbac.escape.hatches", value, AtomicInteger::get)
                    .description("RBAC rights of an agent that let it get around kubegate or escalate (kubegate rbac-check)")
                    .tag("principal", k.get(0)).tag("kind", k.get(1))
                    .register(registry);
            return value;
        }).set(n));
        latest = new Latest(report, null, report.checkedAt());
        int hatches = report.hatches().size();
        if (hatches != lastLoggedHatches) {
            lastLoggedHatches = hatches;
            if (hatches > 0) {
                LOG.warnf("agents hold %d RBAC rights that get around kubegate or escalate (run kubegate rbac-check):%n%s",
                        hatches, report.toText());
            } else {
                LOG.infof("no RBAC escape hatches found for %d agent identities", report.subjects().size());
            }
        }
        report.errors().forEach(e -> LOG.debugf("escape-hatch report: %s", e));
    }
}
