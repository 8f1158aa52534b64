package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfo;
import io.opentelemetry.api.trace.Span;

/**
 * The classification on the request's server span, so traces can be searched by verb and resource.
 * (The span keeps the name the HTTP instrumentation gives it; Quarkus sets it when the call ends.)
 */
final class Tracing {

    private Tracing() {
    }

    static void describe(Span span, RequestInfo info) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        span.setAttribute("k8s.verb", info.verb());
        if (info.isResourceRequest()) {
            span.setAttribute("k8s.api_group", info.apiGroup());
            span.setAttribute("k8s.api_version", info.apiVersion());
            span.setAttribute("k8s.resource", info.resource());
            if (!info.subresource().isEmpty()) span.setAttribute("k8s.subresource", info.subresource());
            if (!info.namespace().isEmpty()) span.setAttribute("k8s.namespace", info.namespace());
            if (!info.name().isEmpty()) span.setAttribute("k8s.name", info.name());
        } else {
            span.setAttribute("k8s.path", info.path());
        }
    }
}
