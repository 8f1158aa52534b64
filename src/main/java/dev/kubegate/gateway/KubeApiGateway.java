package dev.kubegate.gateway;

import dev.kubegate.approval.ApprovalGate;
import dev.kubegate.trail.AuditTrail;
import dev.kubegate.trail.CallRecord;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.session.SessionCounters;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.inspect.ConditionalWrite;
import dev.kubegate.inspect.DryRun;
import dev.kubegate.inspect.Inspection;
import dev.kubegate.inspect.InspectionException;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.policy.PolicyInput;
import dev.kubegate.policy.PolicyService;
import dev.kubegate.k8s.InvalidRequestException;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import dev.kubegate.masking.PodSecrets;
import dev.kubegate.masking.SecretValues;
import dev.kubegate.upstream.Exchange;
import dev.kubegate.upstream.HttpForwarder;
import dev.kubegate.upstream.UpgradeTunnel;
import dev.kubegate.upstream.UpstreamFailure;
import dev.kubegate.upstream.UpstreamHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The Kubernetes API route: every path outside {@code /kubegate/} and {@code /q/}. This class is the
 * one place that knows the order of the steps a call goes through:
 * <ol>
 *   <li>classify — {@link RequestInfoParser}, refusing paths the API server could read differently;</li>
 *   <li>authenticate — the {@link AuthenticatorChain};</li>
 *   <li>inspect — read the body policy must see, resolve YAML, patches and protobuf with a dry run,
 *       read the current object of an update, patch or delete;</li>
 *   <li>decide — the Rego policy; a deny refuses the call;</li>
 *   <li>approve — a call needing approval is held by the {@link ApprovalGate} until a human decides;</li>
 *   <li>forward — with the gateway's identity and {@code Impersonate-*} for the caller, streaming;</li>
 *   <li>record — the audit record (a mutation is forwarded only once its intent record is durable),
 *       metrics, the access log line, the trace span.</li>
 * </ol>
 * Any failure before forwarding refuses the call with a {@link Status}; nothing is forwarded unchecked.
 * Everything here runs on the request's event loop and never blocks.
 */
@ApplicationScoped
public class KubeApiGateway {

    /** Kubernetes API traffic: everything but kubegate's own API and Quarkus' /q/ endpoints. */
    static final String KUBE_API_PATHS = "^(?!/q(/|$)|/kubegate(/|$)).*";

    private static final Logger ACCESS = Logger.getLogger("kubegate.access");
    private static final TextMapSetter<MultiMap> HEADER_SETTER = (headers, k, v) -> headers.set(k, v);

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

    /** Per-session counters shared through the state store (flushed every second, no store call here). */
    @Inject
    SessionCounters counters;

    @Inject
    ApprovalGate approvals;

    @Inject
    AuditTrail audit;

    @Inject
    KnownValueResolver knownValues;

    private GatewayMetrics metrics;
    private long maxBodyBytes;

    void routes(@Observes Router router) {
        metrics = new GatewayMetrics(registry);
        maxBodyBytes = config.limits().maxRequestBody().bytes();
        router.routeWithRegex(KUBE_API_PATHS).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        req.pause();
        Span span = Span.current();
        CallRecord started = audit.begin(req, span);
        ctx.put(CallRecord.KEY, started);
        GatewayRuntime.Started rt = runtime.current();
        if (rt == null) {
            refuse(req, null, null, Status.serviceUnavailable("kubegate is starting or stopping; retry shortly"), started);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        boolean upgrade = UpgradeTunnel.isUpgrade(req);
        RequestInfo info;
        QueryParams query;
        try {
            // Parsed once: classification and the policy input read the same decoded query.
            query = QueryParams.parse(q < 0 ? null : uri.substring(q + 1));
            info = RequestInfoParser.parseWithQuery(req.method().name(), q < 0 ? uri : uri.substring(0, q), query, upgrade);
        } catch (InvalidRequestException e) {
            refuse(req, null, null, Status.badRequest(e.getMessage()), started);
            return;
        }
        ctx.put(RequestInfo.class.getName(), info);
        started.classified(info, query);
        String auditDown = audit.unavailable();
        if (auditDown != null) {
            refuse(req, info, null, Status.serviceUnavailable("kubegate cannot record calls right now, so it refuses them: " + auditDown), started);
            return;
        }
        Tracing.describe(span, info, req.authority());

        Span authSpan = tracer.spanBuilder("kubegate.authenticate").setParent(Context.current().with(span)).startSpan();
        io.vertx.core.Context vctx = io.vertx.core.Vertx.currentContext();
        rt.authenticators().authenticate(AuthenticatorChain.bearerToken(req.getHeader(HttpHeaders.AUTHORIZATION)))
                .subscribe().with(
                        principal -> onContext(vctx, () -> {
                            authSpan.setAttribute("kubegate.principal", principal.name());
                            authSpan.end();
                            span.setAttribute("kubegate.principal", principal.name());
                            started.authenticated(principal);
                            decide(rt, req, info, query, principal, upgrade, span, started);
                        }),
                        failure -> onContext(vctx, () -> {
                            authSpan.recordException(failure);
                            authSpan.setStatus(StatusCode.ERROR);
                            authSpan.end();
                            refuse(req, info, null, authenticationStatus(failure), started);
                        }));
    }

    /**
     * Inspect, then decide: read and resolve the body policy must see, ask the policy, and forward
     * only an allowed call. Every failure here refuses the call; nothing goes upstream unchecked.
     */
    private void decide(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, QueryParams query,
                        Principal principal, boolean upgrade, Span serverSpan, CallRecord started) {
        if (!rt.upstream().credentials().ready()) {
            // Never forward with a credential known to be stale: the cluster would see an unknown caller.
            refuse(req, info, principal, Status.serviceUnavailable("kubegate cannot refresh its own credentials for the cluster ("
                    + rt.upstream().describe() + "); retry shortly"), started);
            return;
        }
        MultiMap headers = UpstreamHeaders.forRequest(req.headers(), Impersonations.of(principal), config.upstream().impersonate(), upgrade,
                req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
        io.vertx.core.Context vctx = io.vertx.core.Vertx.currentContext();
        Span policySpan = tracer.spanBuilder("kubegate.policy").setParent(Context.current().with(serverSpan)).startSpan();
        Future<Inspection> inspected = inspect(rt, req, info, query, headers, upgrade);
        Future<JsonNode> current = Inspection.needsOldObject(info, upgrade)
                ? rt.dryRun().current(req.path(), headers)
                : Future.succeededFuture(null);
        Future<Map<String, String>> tokenSecrets = inspected.compose(i -> tokenSecrets(rt, info, i));
        Future.all(inspected, current, tokenSecrets).onComplete(ar -> {
            if (ar.failed()) {
                policySpan.recordException(ar.cause());
                policySpan.end();
                Status status = ar.cause() instanceof InspectionException ie ? ie.status()
                        : Status.internalError("kubegate could not read the request: " + Status.describe(ar.cause()));
                refuse(req, info, principal, status, started);
                return;
            }
            Inspection inspection = inspected.result();
            started.requestObject(inspection.object());
            started.currentObject(current.result());
            started.options(inspection.options());
            PolicyInput input = new PolicyInput(principal, PolicyInput.Request.of(info, query, inspection.options(), inspection.object()),
                    inspection.object(), current.result(), inspection.object() == null ? null
                    : PolicyInput.podSpecPath(info.apiGroup(), info.resource(), info.subresource()).orElse(null),
                    stats(principal), Instant.now(), tokenSecrets.result());
            CompletionStage<PolicyDecision> decision;
            try {
                decision = policy.decide(input);
            } catch (RuntimeException e) {
                decision = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            decision.whenComplete((d, failure) -> onContext(vctx, () -> {
                policySpan.setAttribute("kubegate.policy.allow", d != null && d.allow());
                policy.engine().revision().ifPresent(r -> policySpan.setAttribute("kubegate.policy.revision", r));
                policySpan.end();
                if (failure != null) {
                    started.decisionFailed(policy.engine().revision().orElse(null));
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                    refuse(req, info, principal, Status.serviceUnavailable("kubegate could not decide on this call, so it is refused: "
                            + Status.describe(cause)), started);
                    return;
                }
                counters.record(principal, info, !d.allow());
                started.decided(d, policy.engine().revision().orElse(null));
                boolean needsApproval = !d.allow() && d.approval().required();
                if (!d.allow() && !needsApproval) {
                    refuse(req, info, principal, Decisions.refusal(d, info, principal), started);
                    return;
                }
                if (inspection.refusal() != null) {
                    // The API server refused the dry run, so the real call would get the same answer.
                    // Policy decided first (without the object): what it refuses is refused whatever
                    // the API server says, and what it allows gets that answer, cleaned of values.
                    relay(req, info, principal, inspection.refusal(), current.result(),
                            ResponseMasking.plan(info, upgrade, req.getHeader(HttpHeaders.UPGRADE), d.mask()), started);
                    return;
                }
                // Planned before any approval is asked for: a call kubegate could not mask is refused outright.
                ResponseMasking masking = ResponseMasking.plan(info, upgrade, req.getHeader(HttpHeaders.UPGRADE), d.mask())
                        .knowing(current.result());
                if (masking.refusal() != null) {
                    refuse(req, info, principal, masking.refusal(), started);
                    return;
                }
                masking.prepare(headers);
                if (masking.needsKnownValues() && knownValues.enabled()) {
                    // A pod's logs or exec output: the values of the Secrets it can read are masked by
                    // value, so they must be known before the first byte flows (fail closed: 503).
                    knownValues.forPod(rt.upstream(), info.namespace(), info.name()).onComplete(values -> onContext(vctx, () -> {
                        if (values.failed()) {
                            refuse(req, info, principal, Status.serviceUnavailable("kubegate must mask the values of the Secrets pod \""
                                    + info.name() + "\" can read in its " + info.subresource() + " output and could not read them: "
                                    + Status.describe(values.cause()) + "; the call is refused"), started);
                            return;
                        }
                        proceed(rt, req, info, query, principal, upgrade, headers, inspection, current.result(), d,
                                masking.withKnownValues(values.result()), serverSpan, started, vctx);
                    }));
                    return;
                }
                proceed(rt, req, info, query, principal, upgrade, headers, inspection, current.result(), d, masking,
                        serverSpan, started, vctx);
            }));
        });
    }

    /** After the decision: hold for approval when the policy asks for it, then bind, record and forward. */
    private void proceed(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, QueryParams query,
                         Principal principal, boolean upgrade, MultiMap headers, Inspection inspection, JsonNode current,
                         PolicyDecision d, ResponseMasking masking, Span serverSpan, CallRecord started,
                         io.vertx.core.Context vctx) {
        boolean needsApproval = !d.allow() && d.approval().required();
        if (needsApproval) {
            // Approve: held until a human decides (or refused with the approval id).
            metrics.heldForApproval.incrementAndGet();
            approvals.hold(new ApprovalGate.Call(req, info, query, principal, d, headers, inspection.body(),
                            current, rt.dryRun(), maxBodyBytes, upgrade))
                    .onComplete(held -> onContext(vctx, () -> {
                        metrics.heldForApproval.decrementAndGet();
                        if (held.succeeded() && held.result().proceed()) {
                            started.approval(held.result().approvalId(), held.result().approvers());
                            bindThenForward(rt, req, info, query, principal, upgrade, headers, inspection,
                                    upgrade ? null : held.result().body(), current, masking, serverSpan, started, vctx);
                        } else {
                            refuse(req, info, principal, held.succeeded() ? held.result().refusal()
                                    : Status.serviceUnavailable("kubegate could not hold the call for approval: " + Status.describe(held.cause())), started);
                        }
                    }));
            return;
        }
        bindThenForward(rt, req, info, query, principal, upgrade, headers, inspection, inspection.body(), current,
                masking, serverSpan, started, vctx);
    }

    /**
     * The Secrets of type service-account-token that a written pod spec mounts or reads env from,
     * with their accounts: policy holds a pod that would borrow an account that way. Read with
     * kubegate's own identity (the agent may not read Secrets), only when kubegate reads Secrets
     * for masking ({@code kubegate.masking.known-values}); a failed read refuses the call (503).
     */
    private Future<Map<String, String>> tokenSecrets(GatewayRuntime.Started rt, RequestInfo info, Inspection inspection) {
        JsonNode object = inspection.object();
        String path = object == null ? null
                : PolicyInput.podSpecPath(info.apiGroup(), info.resource(), info.subresource()).orElse(null);
        if (path == null || !knownValues.enabled()) {
            return Future.succeededFuture(Map.of());
        }
        JsonNode spec = object;
        for (String step : path.split("\\.")) {
            spec = spec.path(step);
        }
        String namespace = info.namespace().isEmpty() ? object.path("metadata").path("namespace").asText("") : info.namespace();
        return knownValues.tokenSecrets(rt.upstream(), namespace, PodSecrets.referencedBySpec(spec))
                .recover(e -> Future.failedFuture(new InspectionException(Status.serviceUnavailable(
                        "kubegate checks whether the Secrets this pod spec uses hold service-account tokens and could not read them ("
                                + Status.describe(e) + "), so the call is refused"))));
    }

    /** Inspect: the body policy must see and the options the API server will apply. */
    private Future<Inspection> inspect(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, QueryParams query,
                                       MultiMap headers, boolean upgrade) {
        try {
            return Inspection.needsBody(info, upgrade)
                    ? Inspection.inspect(req, info, query, headers, maxBodyBytes, rt.dryRun())
                    : Future.succeededFuture(Inspection.withoutBody(info, query));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Forwards {@code body} (the client's, as read) made conditional on the judged state; or refuses. */
    private void bindThenForward(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, QueryParams query,
                                 Principal principal, boolean upgrade, MultiMap headers, Inspection inspection, Buffer body,
                                 JsonNode current, ResponseMasking masking, Span serverSpan, CallRecord started,
                                 io.vertx.core.Context vctx) {
        Buffer bound = body == null ? null : conditional(req, info, query, principal, inspection, body, current, headers, started);
        if (body != null && bound == null) {
            return; // refused
        }
        recordThenForward(rt, req, info, principal, upgrade, headers, bound, masking, serverSpan, started, vctx);
    }

    /**
     * The (non-null) body to forward, made conditional on the state policy judged ({@link ConditionalWrite});
     * the body as is when there is nothing to bind; null after refusing the call (409, 400).
     */
    private Buffer conditional(HttpServerRequest req, RequestInfo info, QueryParams query, Principal principal,
                               Inspection inspection, Buffer body, JsonNode current, MultiMap headers, CallRecord started) {
        byte[] sent = body.getBytes();
        ConditionalWrite.Forward f;
        try {
            f = ConditionalWrite.bind(info, query, inspection.mediaType(), sent, inspection.options(),
                    inspection.object(), current);
        } catch (InspectionException e) {
            refuse(req, info, principal, e.status(), started);
            return null;
        }
        if (f.contentType() != null) {
            headers.set(HttpHeaders.CONTENT_TYPE, f.contentType());
        }
        started.boundResourceVersion(f.boundResourceVersion());
        return f.body() == sent ? body : Buffer.buffer(f.body());
    }

    /** A mutation goes upstream only once its intent record is durable (fail closed); reads go at once. */
    private void recordThenForward(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, Principal principal,
                                   boolean upgrade, MultiMap headers, Buffer body, ResponseMasking masking, Span serverSpan,
                                   CallRecord started, io.vertx.core.Context vctx) {
        audit.beforeForward(started).whenComplete((ok, notRecorded) -> onContext(vctx, () -> {
            if (notRecorded != null) {
                Throwable cause = notRecorded instanceof java.util.concurrent.CompletionException && notRecorded.getCause() != null
                        ? notRecorded.getCause() : notRecorded;
                refuse(req, info, principal, Status.serviceUnavailable("kubegate cannot record this call, so it is refused: "
                        + Status.describe(cause)), started);
                return;
            }
            forward(rt, req, info, principal, upgrade, headers, body, masking, serverSpan, started);
        }));
    }

    private void forward(GatewayRuntime.Started rt, HttpServerRequest req, RequestInfo info, Principal principal,
                         boolean upgrade, MultiMap headers, Buffer body, ResponseMasking masking, Span serverSpan, CallRecord started) {
        Span upstreamSpan = Tracing.upstream(tracer, serverSpan, req.method().name(), req.path(), rt.upstream().credentials().server());
        openTelemetry.getPropagators().getTextMapPropagator().inject(Context.current().with(upstreamSpan), headers, HEADER_SETTER);

        boolean watch = "watch".equals(info.verb());
        boolean stream = watch || (info.isResourceRequest() && "log".equals(info.subresource()));
        long[] headersAt = {0};
        Future<Exchange> exchange;
        if (upgrade) {
            exchange = rt.tunnel().open(req, headers, () -> {
                headersAt[0] = System.nanoTime();
                metrics.openExecSessions.incrementAndGet();
            }, masking.filter(), audit.recorder(started, req));
        } else {
            if (watch) metrics.openWatches.incrementAndGet();
            if (stream) metrics.openStreams.incrementAndGet();
            exchange = rt.forwarder().forward(req, headers, body, maxBodyBytes, watch, masking.filter(),
                    audit.responseCapture(started, stream));
        }
        exchange.onComplete(ar -> {
            if (upgrade && headersAt[0] != 0) metrics.openExecSessions.decrementAndGet();
            if (!upgrade && watch) metrics.openWatches.decrementAndGet();
            if (!upgrade && stream) metrics.openStreams.decrementAndGet();
            if (ar.failed()) {
                upstreamSpan.recordException(ar.cause());
                upstreamSpan.setAttribute("error.type", ar.cause().getClass().getName());
                upstreamSpan.setStatus(StatusCode.ERROR);
                upstreamSpan.end();
                Status status = ar.cause() instanceof UpstreamFailure f ? f.status()
                        : Status.internalError("kubegate failed to forward the call: " + Status.describe(ar.cause()));
                refuse(req, info, principal, status, started);
                return;
            }
            Exchange x = ar.result();
            upstreamSpan.setAttribute("http.response.status_code", x.status());
            if (x.status() >= 400) {
                upstreamSpan.setAttribute("error.type", Integer.toString(x.status()));
                upstreamSpan.setStatus(StatusCode.ERROR); // semantic conventions: 4xx and 5xx fail a CLIENT span
            }
            upstreamSpan.end();
            complete(info, principal, x, started);
        });
    }

    private void complete(RequestInfo info, Principal principal, Exchange x, CallRecord started) {
        Duration latency = started.elapsed();
        started.exchanged(x);
        started.masked(x.maskedCount());
        audit.finish(started);
        metrics.record(info, x.status(), latency);
        metrics.masked(info, x.maskedCount());
        accessLog(info, principal, x.status(), latency, x.requestBytes(), x.responseBytes(), x.complete(), x.maskedCount(), null);
    }

    private void refuse(HttpServerRequest req, RequestInfo info, Principal principal, Status status, CallRecord started) {
        HttpServerResponse resp = req.response();
        if (!resp.headWritten() && !resp.closed()) {
            resp.setStatusCode(status.code())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, private");
            if (status.retryAfterHeader() != null) {
                resp.putHeader(HttpHeaders.RETRY_AFTER, status.retryAfterHeader()); // client-go waits, then retries
            }
            resp.end(status.toJson());
        } else if (!resp.ended()) {
            resp.reset();
        }
        started.refused(status);
        audit.finish(started);
        if (!req.isEnded()) {
            req.resume(); // an HTTP/2 request whose body was read throws here
        }
        Duration latency = started.elapsed();
        metrics.refused(status.reason());
        metrics.record(info, status.code(), latency);
        Span.current().setStatus(StatusCode.ERROR, status.reason());
        accessLog(info, principal, status.code(), latency, 0, 0, true, 0, status.message());
    }

    /**
     * Answers with the API server's refusal of the dry run: its status, type and text as they came
     * when the object holds nothing the caller's answers would hide; else (an error message quotes
     * values, or pieces of them, and a JSON patch can copy one into the field it quotes), or when
     * the object could not be read, with the same code and reason and the message withheld.
     */
    private void relay(HttpServerRequest req, RequestInfo info, Principal principal, DryRun.Result refusal,
                       JsonNode current, ResponseMasking masking, CallRecord started) {
        boolean unknownObject = current == null && masking.masksAnswers()
                && ("update".equals(info.verb()) || "patch".equals(info.verb()));
        SecretValues hidden = unknownObject ? null : masking.hiddenIn(current);
        // The API server's messages quote pieces of the object (its JSON decoder prints the bytes
        // around an error), so a refusal about an object holding values the caller may not see is
        // never relayed, not even cleaned: a piece of a value is not the value and would pass.
        Buffer body = hidden == null || !hidden.isEmpty() ? null
                : ResponseMasking.maskedError(info, refusal.errorContentType(), refusal.errorBody(), hidden);
        if (body == null) {
            String reason = Status.reasonFor(refusal.errorCode());
            refuse(req, info, principal, new Status(refusal.errorCode(), reason,
                    "the API server refused this call in kubegate's dry run (HTTP " + refusal.errorCode() + " " + reason
                            + "); its message is withheld because the object holds values kubegate masks for you and the"
                            + " message could quote them. Check what you change against the object's schema (kubectl explain)", null), started);
            return;
        }
        HttpServerResponse resp = req.response();
        if (!resp.headWritten() && !resp.closed()) {
            resp.setStatusCode(refusal.errorCode());
            if (refusal.errorContentType() != null) {
                resp.putHeader(HttpHeaders.CONTENT_TYPE, refusal.errorContentType());
            }
            resp.end(body);
        }
        Duration latency = started.elapsed();
        started.relayed(refusal.errorCode(), body.length(), "dry run refused by the API server");
        audit.finish(started);
        metrics.record(info, refusal.errorCode(), latency);
        accessLog(info, principal, refusal.errorCode(), latency, 0, body.length(), true, 0, "dry run refused by the API server");
    }

    private PolicyInput.Stats stats(Principal principal) {
        SessionCounters.Snapshot s = counters.snapshot(principal);
        return new PolicyInput.Stats(s.requests(), s.mutations(), s.deletes(), s.denied());
    }


    private static Status authenticationStatus(Throwable failure) {
        if (failure instanceof AuthenticationException a) {
            return a.unavailable()
                    ? Status.serviceUnavailable("kubegate cannot verify credentials right now: " + Status.describe(a))
                    : Status.unauthorized("Unauthorized: " + Status.describe(a));
        }
        return Status.serviceUnavailable("kubegate cannot verify credentials right now: " + failure);
    }

    private static void accessLog(RequestInfo info, Principal principal, int code, Duration latency,
                                  long bytesIn, long bytesOut, boolean complete, long masked, String refusal) {
        if (!ACCESS.isInfoEnabled()) {
            return;
        }
        // MDC is filled and cleared around the one log call, on this thread: no leak between requests.
        try {
            if (info != null) {
                MDC.put("verb", info.verb());
                if (info.isResourceRequest()) {
                    MDC.put("apiGroup", info.apiGroup());
                    MDC.put("resource", info.resource());
                    if (!info.subresource().isEmpty()) MDC.put("subresource", info.subresource());
                    if (!info.namespace().isEmpty()) MDC.put("namespace", info.namespace());
                    if (!info.name().isEmpty()) MDC.put("name", info.name());
                } else {
                    MDC.put("path", info.path());
                }
            }
            if (principal != null) {
                MDC.put("principal", principal.name());
                principal.session().ifPresent(s -> MDC.put("session", s.id()));
            }
            MDC.put("code", Integer.toString(code));
            MDC.put("durationMs", Long.toString(latency.toMillis()));
            MDC.put("maskedCount", Long.toString(masked));
            // concatenated, not infof: String.format costs more than the rest of the line on every call
            ACCESS.info((info == null ? "unclassified" : info.describe()) + " " + code + " " + latency.toMillis() + "ms in=" + bytesIn
                    + " out=" + bytesOut + " masked=" + masked + (complete ? "" : " (cut)") + (refusal == null ? "" : " refused: " + refusal));
        } finally {
            MDC.clear();
        }
    }

    private static void onContext(io.vertx.core.Context vctx, Runnable task) {
        if (vctx == null || io.vertx.core.Vertx.currentContext() == vctx) {
            task.run();
        } else {
            vctx.runOnContext(v -> task.run());
        }
    }

}
