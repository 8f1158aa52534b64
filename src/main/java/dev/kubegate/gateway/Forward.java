package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import dev.kubegate.upstream.Exchange;
import dev.kubegate.upstream.UpstreamFailure;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Forward through {@code upstream} (or its tunnel for exec, attach and port-forward), the answer
 * streaming back through the planned maskers, then record the exchange; 503/504 when the API server
 * cannot be reached or is too slow. The last step: the call ends here.
 */
final class Forward implements Step {

    private static final TextMapSetter<MultiMap> HEADER_SETTER = (headers, k, v) -> headers.set(k, v);

    private final Tracer tracer;
    private final OpenTelemetry openTelemetry;
    private final AuditTrail audit;
    private final GatewayMetrics metrics;
    private final CallEnd end;
    private final long maxBodyBytes;

    // The step's collaborators, each a different concern (tracing, audit taps, gauges, the call's end, the body limit).
    Forward(Tracer tracer, OpenTelemetry openTelemetry, AuditTrail audit, GatewayMetrics metrics, CallEnd end, long maxBodyBytes) {
        this.tracer = tracer;
        this.openTelemetry = openTelemetry;
        this.audit = audit;
        this.metrics = metrics;
        this.end = end;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        Span upstreamSpan = Tracing.upstream(tracer, call.span, call.req.method().name(), call.req.path(),
                call.runtime.upstream().credentials().server());
        openTelemetry.getPropagators().getTextMapPropagator().inject(Context.current().with(upstreamSpan), call.upstreamHeaders, HEADER_SETTER);
        if (call.upgrade) {
            ExecSession session = new ExecSession();
            return call.runtime.tunnel().open(call.req, call.upstreamHeaders, session, call.masking.filter(), audit.recorder(call.record, call.req))
                    .transform(ar -> {
                        session.close();
                        return ended(call, upstreamSpan, ar);
                    });
        }
        boolean watch = "watch".equals(call.info.verb());
        boolean stream = watch || (call.info.isResourceRequest() && "log".equals(call.info.subresource()));
        if (watch) metrics.openWatches.incrementAndGet();
        if (stream) metrics.openStreams.incrementAndGet();
        return call.runtime.forwarder().forward(call.req, call.upstreamHeaders, call.body, maxBodyBytes, watch, call.masking.filter(),
                        audit.responseCapture(call.record, stream))
                .transform(ar -> {
                    if (watch) metrics.openWatches.decrementAndGet();
                    if (stream) metrics.openStreams.decrementAndGet();
                    return ended(call, upstreamSpan, ar);
                });
    }

    private Future<Outcome> ended(CallContext call, Span upstreamSpan, AsyncResult<Exchange> ar) {
        if (ar.failed()) {
            upstreamSpan.recordException(ar.cause());
            upstreamSpan.setAttribute("error.type", ar.cause().getClass().getName());
            upstreamSpan.setStatus(StatusCode.ERROR);
            upstreamSpan.end();
            return Outcome.refuse(ar.cause() instanceof UpstreamFailure f ? f.status()
                    : Status.internalError("kubegate failed to forward the call: " + Status.describe(ar.cause())));
        }
        Exchange x = ar.result();
        upstreamSpan.setAttribute("http.response.status_code", x.status());
        if (x.status() >= 400) {
            upstreamSpan.setAttribute("error.type", Integer.toString(x.status()));
            upstreamSpan.setStatus(StatusCode.ERROR); // semantic conventions: 4xx and 5xx fail a CLIENT span
        }
        upstreamSpan.end();
        end.exchanged(call, x);
        return Outcome.relayed();
    }

    /** Counts an exec, attach or port-forward session from the moment its stream opens. */
    private final class ExecSession implements Runnable {
        private boolean open;

        @Override
        public void run() {
            open = true;
            metrics.openExecSessions.incrementAndGet();
        }

        void close() {
            if (open) metrics.openExecSessions.decrementAndGet();
        }
    }
}
