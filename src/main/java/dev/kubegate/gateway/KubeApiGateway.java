package dev.kubegate.gateway;

import dev.kubegate.approval.ApprovalGate;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.session.SessionCounters;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyService;
import dev.kubegate.trail.AuditTrail;
import dev.kubegate.trail.CallRecord;
import dev.kubegate.upstream.UpgradeTunnel;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;

/**
 * The Kubernetes API route: every path outside {@code /kubegate/} and {@code /q/}. This class is the
 * one place that knows the order of the {@link Step}s a call goes through — {@link #steps} lists
 * them, each a class of this package; the package documentation says what each one does.
 * Each call gets one {@link CallContext}; each step proceeds, refuses the call with a {@link Status}
 * or answers it itself (the last step, {@link Forward}, always does). Any failure before forwarding
 * refuses the call; nothing is forwarded unchecked. Everything here runs on the request's event
 * loop and never blocks.
 */
@ApplicationScoped
public class KubeApiGateway {

    /** Kubernetes API traffic: everything but kubegate's own API and Quarkus' /q/ endpoints. */
    static final String KUBE_API_PATHS = "^(?!/q(/|$)|/kubegate(/|$)).*";

    @Inject
    GatewayRuntime runtime;

    @Inject
    KubegateConfig config;

    @Inject
    Tracer tracer;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    MeterRegistry registry;

    @Inject
    PolicyService policy;

    @Inject
    SessionCounters counters;

    @Inject
    ApprovalGate approvals;

    @Inject
    AuditTrail audit;

    @Inject
    KnownValueResolver knownValues;

    private CallEnd end;
    private Step[] steps;

    void routes(@Observes Router router) {
        GatewayMetrics metrics = new GatewayMetrics(registry);
        long maxBodyBytes = config.limits().maxRequestBody().bytes();
        end = new CallEnd(audit, metrics);
        steps = steps(metrics, maxBodyBytes).toArray(Step[]::new);
        router.routeWithRegex(KUBE_API_PATHS).handler(this::handle);
    }

    /** The pipeline, in order. */
    private List<Step> steps(GatewayMetrics metrics, long maxBodyBytes) {
        return List.of(
                new Serving(runtime),
                new Classify(),
                new AuditReady(audit),
                new Authenticate(tracer),
                new UpstreamReady(config.upstream().impersonate()),
                new Inspect(tracer, knownValues, maxBodyBytes),
                new Decide(policy, counters),
                new RelayDryRunRefusal(end),
                new PlanMasking(knownValues),
                new Approve(approvals, metrics, maxBodyBytes),
                new Bind(),
                new RecordIntent(audit),
                new Forward(tracer, openTelemetry, audit, metrics, end, maxBodyBytes));
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        req.pause();
        Span span = Span.current();
        // Begun first: every outcome below ends as one audit record and one access log line.
        CallRecord record = audit.begin(req, span);
        ctx.put(CallRecord.KEY, record);
        run(new CallContext(ctx, span, record, UpgradeTunnel.isUpgrade(req)), 0);
    }

    /** Runs the steps from {@code from} on: in a loop while they complete at once, resumed on the call's context when not. */
    private void run(CallContext call, int from) {
        for (int i = from; i < steps.length; i++) {
            Future<Outcome> outcome = apply(steps[i], call);
            if (!outcome.isComplete()) {
                int next = i + 1;
                outcome.onComplete(ar -> call.onContext(() -> {
                    if (proceeds(call, ar)) {
                        run(call, next);
                    }
                }));
                return;
            }
            if (!proceeds(call, outcome)) {
                return;
            }
        }
    }

    private static Future<Outcome> apply(Step step, CallContext call) {
        try {
            return step.apply(call);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Whether the next step runs; else the call has been answered (refused here, or by the step). */
    private boolean proceeds(CallContext call, AsyncResult<Outcome> ar) {
        if (ar.failed()) {
            end.refuse(call, Status.internalError("kubegate could not handle the call: " + Status.describe(ar.cause())));
            return false;
        }
        Outcome outcome = ar.result();
        if (outcome.refusalStatus() != null) {
            end.refuse(call, outcome.refusalStatus());
            return false;
        }
        return outcome == Outcome.PROCEED;
    }
}
