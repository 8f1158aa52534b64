package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfo;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.net.HostAndPort;

import java.net.URI;

/**
 * kubegate's spans and attributes, by the OpenTelemetry semantic conventions: HTTP attributes under
 * their stable names ({@code http.request.method}, {@code url.path}, {@code http.response.status_code},
 * {@code server.address}); the call to the API server a {@link SpanKind#CLIENT} span named by its
 * method, as HTTP client spans are; the Kubernetes classification under {@code kubegate.k8s.*}, because
 * {@code k8s.*} is the resource namespace that describes where a process runs ({@code k8s.namespace.name}
 * of kubegate's own pod), not what a request asks for. (The server span keeps the name and HTTP
 * attributes the Quarkus instrumentation gives it.)
 */
final class Tracing {

    static final String VERB = "kubegate.k8s.verb";
    static final String API_GROUP = "kubegate.k8s.api_group";
    static final String API_VERSION = "kubegate.k8s.api_version";
    static final String RESOURCE = "kubegate.k8s.resource";
    static final String SUBRESOURCE = "kubegate.k8s.subresource";
    static final String NAMESPACE = "kubegate.k8s.namespace";
    static final String NAME = "kubegate.k8s.name";
    static final String PATH = "kubegate.k8s.path";

    private Tracing() {
    }

    /**
     * The classification on the request's server span, so traces can be searched by verb and resource;
     * and {@code server.address}/{@code server.port} as the client addressed kubegate (Host or :authority),
     * which the HTTP instrumentation leaves out.
     */
    static void describe(Span span, RequestInfo info, HostAndPort authority) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        if (authority != null && authority.host() != null && !authority.host().isEmpty()) {
            span.setAttribute("server.address", authority.host());
            if (authority.port() > 0) span.setAttribute("server.port", (long) authority.port());
        }
        span.setAttribute(VERB, info.verb());
        if (info.isResourceRequest()) {
            span.setAttribute(API_GROUP, info.apiGroup());
            span.setAttribute(API_VERSION, info.apiVersion());
            span.setAttribute(RESOURCE, info.resource());
            if (!info.subresource().isEmpty()) span.setAttribute(SUBRESOURCE, info.subresource());
            if (!info.namespace().isEmpty()) span.setAttribute(NAMESPACE, info.namespace());
            if (!info.name().isEmpty()) span.setAttribute(NAME, info.name());
        } else {
            span.setAttribute(PATH, info.path());
        }
    }

    /** The CLIENT span of the call to the API server at {@code server}, a child of the request's server span. */
    static Span upstream(Tracer tracer, Span serverSpan, String method, String path, URI server) {
        SpanBuilder b = tracer.spanBuilder(method).setSpanKind(SpanKind.CLIENT)
                .setParent(Context.current().with(serverSpan))
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", path);
        if (server != null && server.getHost() != null) {
            b.setAttribute("server.address", server.getHost());
            int port = server.getPort() > 0 ? server.getPort() : "http".equalsIgnoreCase(server.getScheme()) ? 80 : 443;
            b.setAttribute("server.port", (long) port);
            b.setAttribute("url.scheme", server.getScheme());
        }
        return b.startSpan();
    }
}
