package dev.kubegate.gateway;

import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.RequestInfo;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;

/** The access log: one line per call on {@code kubegate.access}, its facts also in the MDC for JSON logs. */
final class AccessLog {

    private static final Logger ACCESS = Logger.getLogger("kubegate.access");

    private AccessLog() {
    }

    // Nine facts of one line, each a log field: a parameter object would be built for each call just to be read here.
    static void write(RequestInfo info, Principal principal, int code, Duration latency,
                      long bytesIn, long bytesOut, boolean complete, long masked, String refusal) {
        if (!ACCESS.isInfoEnabled()) {
            return;
        }
        // MDC is filled and cleared around the one log call, on this thread: no leak between requests.
        try {
            if (info != null) {
                describe(info);
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

    private static void describe(RequestInfo info) {
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
}
