package dev.kubegate.audit.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One kubegate call record as a Kubernetes audit event ({@code audit.k8s.io/v1 Event}, stage
 * {@code ResponseComplete}), the shape SIEM rules written for the API server's audit log read
 * (Falco's k8s_audit rules, Splunk/Elastic Kubernetes audit integrations).
 *
 * <p>From kubegate's side of the call: {@code user} is the agent kubegate authenticated,
 * {@code impersonatedUser} the identity it impersonated at the cluster ({@code kubegate:<name>});
 * {@code sourceIPs} the agent's address. {@code requestObject} and {@code responseObject} are the
 * record's own, present at the record's level and already masked. kubegate's extras are
 * {@code annotations} under {@code kubegate.dev/}: decision, reasons, policy revision, approval,
 * masked count, record id and hash (the hash links the event to the signed audit chain); the
 * decision is also {@code authorization.k8s.io/decision} ({@code allow} / {@code forbid}) as the
 * API server annotates its own.
 *
 * <p>Pure: reads the record's JSON only.
 */
public final class K8sAuditEvent {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The API server's timestamp format: RFC 3339 with microseconds. */
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The identity kubegate impersonated upstream for the call; null when it does not impersonate. */
    public record Impersonated(String username, List<String> groups) {
    }

    private K8sAuditEvent() {
    }

    /**
     * @param call        the record of type {@code call} (AuditTrail's entry)
     * @param recordHash  its hash in the audit chain, or null
     * @param requestURI  the URI as the client sent it (path and query)
     * @param impersonated the identity used upstream, or null
     */
    public static ObjectNode from(JsonNode call, String recordHash, String requestURI, Impersonated impersonated) {
        ObjectNode e = F.objectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        e.put("level", call.path("level").asText("Metadata"));
        e.put("auditID", call.path("call").asText(call.path("id").asText()));
        e.put("stage", "ResponseComplete");
        JsonNode request = call.path("request");
        e.put("requestURI", requestURI != null ? requestURI : request.path("path").asText(request.path("uri").asText("")));
        e.put("verb", request.path("verb").asText(request.path("method").asText("").toLowerCase(java.util.Locale.ROOT)));
        user(e, call.path("principal"), call.path("session"));
        if (impersonated != null) {
            ObjectNode iu = e.putObject("impersonatedUser");
            iu.put("username", impersonated.username());
            ArrayNode g = iu.putArray("groups");
            impersonated.groups().forEach(g::add);
        }
        ArrayNode ips = e.putArray("sourceIPs");
        if (call.hasNonNull("source")) ips.add(call.get("source").asText());
        if (call.path("client").hasNonNull("userAgent")) e.put("userAgent", call.path("client").path("userAgent").asText());
        if (request.path("resourceRequest").asBoolean(false)) {
            ObjectNode ref = e.putObject("objectRef");
            putIfSet(ref, "resource", request.path("resource"));
            putIfSet(ref, "namespace", request.path("namespace"));
            putIfSet(ref, "name", request.path("name").asText("").isEmpty() ? request.path("objectName") : request.path("name"));
            putIfSet(ref, "apiGroup", request.path("apiGroup"));
            putIfSet(ref, "apiVersion", request.path("apiVersion"));
            putIfSet(ref, "subresource", request.path("subresource"));
        }
        e.set("responseStatus", responseStatus(call.path("response")));
        if (call.has("requestObject")) e.set("requestObject", call.get("requestObject"));
        if (call.has("responseObject")) e.set("responseObject", call.get("responseObject"));
        Instant received = Instant.parse(call.path("time").asText());
        e.put("requestReceivedTimestamp", MICROS.format(received));
        e.put("stageTimestamp", MICROS.format(received.plusMillis(call.path("latencyMs").asLong(0))));
        e.set("annotations", annotations(call, recordHash));
        return e;
    }

    private static void user(ObjectNode e, JsonNode principal, JsonNode session) {
        ObjectNode u = e.putObject("user");
        u.put("username", principal.path("name").asText("system:anonymous"));
        if (principal.hasNonNull("id")) u.put("uid", principal.get("id").asText());
        ArrayNode groups = u.putArray("groups");
        principal.path("groups").forEach(groups::add);
        ObjectNode extra = u.putObject("extra");
        if (principal.hasNonNull("kind")) extra.putArray("kubegate.dev/identity-kind").add(principal.get("kind").asText());
        if (!session.isMissingNode() && !session.isNull()) extra.putArray("kubegate.dev/session").add(session.asText());
    }

    /** {@code metav1.Status} as the API server puts it in its audit events: the code, and for a failure its reason and message. */
    private static ObjectNode responseStatus(JsonNode response) {
        ObjectNode s = F.objectNode();
        s.putObject("metadata");
        int code = response.path("code").asInt(0);
        if (code >= 300 || code == 0) {
            s.put("status", "Failure");
            if (response.hasNonNull("message")) s.put("message", response.get("message").asText());
            if (response.hasNonNull("reason")) s.put("reason", response.get("reason").asText());
        }
        s.put("code", code);
        return s;
    }

    private static ObjectNode annotations(JsonNode call, String recordHash) {
        ObjectNode a = F.objectNode();
        JsonNode d = call.path("decision");
        String result = d.path("result").asText("none");
        a.put("authorization.k8s.io/decision", "allow".equals(result) ? "allow" : "forbid");
        List<String> reasons = new java.util.ArrayList<>();
        d.path("reasons").forEach(r -> reasons.add(r.asText()));
        if (!reasons.isEmpty()) a.put("authorization.k8s.io/reason", String.join("; ", reasons));
        a.put("kubegate.dev/decision", result);
        if (!reasons.isEmpty()) a.put("kubegate.dev/reasons", String.join("; ", reasons));
        if (d.hasNonNull("policyRevision")) a.put("kubegate.dev/policy-revision", d.get("policyRevision").asText());
        if (d.hasNonNull("approvalId")) a.put("kubegate.dev/approval-id", d.get("approvalId").asText());
        if (d.hasNonNull("approver")) a.put("kubegate.dev/approver", d.get("approver").asText());
        if (call.has("maskedFields")) a.put("kubegate.dev/masked-count", Long.toString(call.get("maskedFields").asLong()));
        a.put("kubegate.dev/record-id", call.path("id").asText());
        if (recordHash != null) a.put("kubegate.dev/record-hash", recordHash);
        if (call.hasNonNull("trace")) a.put("kubegate.dev/trace-id", call.get("trace").asText());
        if (call.hasNonNull("session")) a.put("kubegate.dev/session", call.get("session").asText());
        return a;
    }

    private static void putIfSet(ObjectNode o, String field, JsonNode value) {
        // The API server omits empty fields of objectRef (omitempty): so does kubegate.
        if (value != null && value.isTextual() && !value.asText().isEmpty()) {
            o.put(field, value.asText());
        }
    }
}
