package dev.kubegate.policy;

import dev.kubegate.config.KubegateConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToDoubleFunction;

/**
 * The application's {@link PolicyEngine}: built from {@code kubegate.policy.*} at start-up (only
 * when the gateway serves: the CLI's client commands need no policy), closed at shutdown, its
 * counters published as metrics:
 * {@code kubegate_policy_decisions_total{result=allow|deny|approval|error}},
 * {@code kubegate_policy_reloads_total{result=success|failure}}, {@code kubegate_policy_loaded},
 * {@code kubegate_policy_decision_cache_total{result=hit|miss}}.
 */
@ApplicationScoped
public class PolicyService {

    @Inject
    KubegateConfig config;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private volatile PolicyEngine engine;

    void onStart(@Observes StartupEvent event) {
        if (!serving) {
            return;
        }
        KubegateConfig.Policy p = config.policy();
        PolicyEngine e = new PolicyEngine(new PolicyEngine.Options(p.bundle(), p.data(),
                p.poolSize().orElse(2 * Runtime.getRuntime().availableProcessors()),
                p.reloadInterval(), p.maxQueued(), p.queueTimeout(), p.decisionCacheSize()));
        e.start(); // blocks ~1 s: loads the policy; on the main thread, before the listener opens
        e.warmUp(2000); // in the background: ~1 s of one core, makes the first calls ~5x faster
        bind(e);
        engine = e;
    }

    void onStop(@Observes ShutdownEvent event) {
        PolicyEngine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
    }

    /** See {@link PolicyEngine#decide}; fails with {@link PolicyUnavailableException} while not started. */
    public CompletionStage<PolicyDecision> decide(PolicyInput input) {
        PolicyEngine e = engine;
        return e == null
                ? CompletableFuture.failedFuture(new PolicyUnavailableException("kubegate is starting or stopping; retry shortly"))
                : e.decide(input);
    }

    /** The engine, or null when not serving or not started yet. */
    public PolicyEngine engine() {
        return engine;
    }

    private void bind(PolicyEngine e) {
        decisions(e, "allow", PolicyEngine::allowed);
        decisions(e, "deny", PolicyEngine::denied);
        decisions(e, "approval", PolicyEngine::approvalsRequired);
        decisions(e, "error", PolicyEngine::failures);
        FunctionCounter.builder("kubegate.policy.reloads", e, PolicyEngine::reloads)
                .description("policy bundle or data changes swapped in").tag("result", "success").register(registry);
        FunctionCounter.builder("kubegate.policy.reloads", e, PolicyEngine::reloadFailures)
                .description("policy bundle or data changes rejected (the previous policy stayed in use)")
                .tag("result", "failure").register(registry);
        FunctionCounter.builder("kubegate.policy.decision.cache", e, PolicyEngine::cacheHits)
                .description("cacheable calls decided from the decision cache").tag("result", "hit").register(registry);
        FunctionCounter.builder("kubegate.policy.decision.cache", e, PolicyEngine::cacheMisses)
                .description("cacheable calls evaluated by the policy").tag("result", "miss").register(registry);
        Gauge.builder("kubegate.policy.loaded", e, x -> x.loaded().isPresent() ? 1 : 0)
                .description("1 when a policy is loaded; 0 means every call is refused").register(registry);
    }

    private void decisions(PolicyEngine e, String result, ToDoubleFunction<PolicyEngine> count) {
        FunctionCounter.builder("kubegate.policy.decisions", e, count)
                .description("policy decisions by result; error: no decision could be made (503)")
                .tag("result", result).register(registry);
    }
}
