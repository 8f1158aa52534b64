package dev.kubegate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.inspect.Inspection;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.trail.CallRecord;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * One Kubernetes API call on its way through the {@link Step}s: what is known from the start, and
 * what each step learns for the ones after it (null until then). Confined to the call's Vert.x
 * context: steps write it there, or before completing the future the pipeline resumes on.
 */
final class CallContext {

    final RoutingContext routing;
    final HttpServerRequest req;
    /** The server span of the call. */
    final Span span;
    final CallRecord record;
    /** The Vert.x context the request arrived on; every step resumes on it. */
    final Context vertx;
    /** exec, attach or port-forward: an HTTP upgrade (SPDY or WebSocket). */
    final boolean upgrade;

    /** {@code Serving}: what the gateway serves with. */
    GatewayRuntime.Started runtime;
    /** {@code Classify}: the query, parsed once, and the API server's reading of the call. */
    QueryParams query;
    RequestInfo info;
    /** {@code Authenticate}. */
    Principal principal;
    /** {@code UpstreamReady}: the headers the call goes upstream with (impersonation included). */
    MultiMap upstreamHeaders;
    /** {@code Inspect}: the body policy sees, the object as it is now, the token Secrets a pod spec uses. */
    Inspection inspection;
    JsonNode current;
    Map<String, String> tokenSecrets;
    /** Opened by {@code Inspect}, ended by {@code Decide}: inspection and decision together. */
    Span policySpan;
    /** {@code Decide}. */
    PolicyDecision decision;
    /** {@code PlanMasking}: how the answer is masked. */
    ResponseMasking masking;
    /** {@code Approve}, then {@code Bind}: the body to forward, null when none was read. */
    Buffer body;

    CallContext(RoutingContext routing, Span span, CallRecord record, boolean upgrade) {
        this.routing = routing;
        this.req = routing.request();
        this.span = span;
        this.record = record;
        this.vertx = Vertx.currentContext();
        this.upgrade = upgrade;
    }

    /** Runs {@code task} on the call's context: at once when already there. */
    void onContext(Runnable task) {
        if (vertx == null || Vertx.currentContext() == vertx) {
            task.run();
        } else {
            vertx.runOnContext(v -> task.run());
        }
    }
}
