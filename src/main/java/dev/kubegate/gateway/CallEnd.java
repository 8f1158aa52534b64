package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import dev.kubegate.upstream.Exchange;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;

/**
 * The three ways a call ends — refused, answered by kubegate itself, or exchanged with the API
 * server — each closing the call record, the metrics and the access log line the same way.
 */
final class CallEnd {

    private final AuditTrail audit;
    private final GatewayMetrics metrics;

    CallEnd(AuditTrail audit, GatewayMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    /** Answers {@code status} (or cuts a response already started) and records the refusal. */
    void refuse(CallContext call, Status status) {
        HttpServerResponse resp = call.req.response();
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
        call.record.refused(status);
        audit.finish(call.record);
        if (!call.req.isEnded()) {
            call.req.resume(); // an HTTP/2 request whose body was read throws here
        }
        Duration latency = call.record.elapsed();
        metrics.refused(status.reason());
        metrics.record(call.info, status.code(), latency);
        Span.current().setStatus(StatusCode.ERROR, status.reason());
        AccessLog.write(call.info, call.principal, status.code(), latency, 0, 0, true, 0, status.message());
    }

    /** Answers with {@code body}, an answer kubegate has (not the API server's live one), and records it. */
    void relay(CallContext call, int code, String contentType, Buffer body, String why) {
        HttpServerResponse resp = call.req.response();
        if (!resp.headWritten() && !resp.closed()) {
            resp.setStatusCode(code);
            if (contentType != null) {
                resp.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
            }
            resp.end(body);
        }
        Duration latency = call.record.elapsed();
        call.record.relayed(code, body.length(), why);
        audit.finish(call.record);
        metrics.record(call.info, code, latency);
        AccessLog.write(call.info, call.principal, code, latency, 0, body.length(), true, 0, why);
    }

    /** Records a call the API server answered (the answer has streamed to the client). */
    void exchanged(CallContext call, Exchange x) {
        Duration latency = call.record.elapsed();
        call.record.exchanged(x);
        call.record.masked(x.maskedCount());
        audit.finish(call.record);
        metrics.record(call.info, x.status(), latency);
        metrics.masked(call.info, x.maskedCount());
        AccessLog.write(call.info, call.principal, x.status(), latency, x.requestBytes(), x.responseBytes(), x.complete(),
                x.maskedCount(), null);
    }
}
