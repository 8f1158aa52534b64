package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds records in a stored log: API calls and lifecycle events matching a filter, oldest first,
 * across every writer stream. A mutation's {@code intent} record stands in for its call when the
 * call record is missing (the replica stopped before the call ended): it is returned with
 * {@code "outcome": "unknown"}. Blocking; reads the segments sequentially and keeps at most
 * {@code limit} results (plus open intents, bounded by the same limit).
 */
public final class AuditQuery {

    /** Null fields match anything. */
    public record Filter(String session, String principal, String verb, String resource, String namespace,
                         String decision, Instant since, Instant until) {
        boolean callOnly() {
            return verb != null || resource != null || namespace != null || decision != null;
        }
    }

    public record Result(List<JsonNode> items, boolean truncated) {
    }

    private AuditQuery() {
    }

    public static Result search(LogSource source, Filter f, int limit) throws IOException {
        // The earliest `limit` matches: a heap with the latest on top, so memory stays bounded.
        Comparator<JsonNode> byTime = Comparator.comparing(n -> n.path("time").asText());
        java.util.PriorityQueue<JsonNode> found = new java.util.PriorityQueue<>(byTime.reversed());
        boolean[] truncated = {false};
        Map<String, JsonNode> openIntents = new LinkedHashMap<>();
        for (String stream : source.streams()) {
            for (String segment : source.segments(stream)) {
                try (InputStream in = new BufferedInputStream(source.open(stream, segment), 1 << 16)) {
                    Segments.scan(in, (lineNo, bytes, len, end, complete) -> {
                        if (!complete) {
                            return false;
                        }
                        Canonical.Opened o = Canonical.open(bytes, len);
                        if (o == null) {
                            return true;
                        }
                        JsonNode n = Canonical.JSON.readTree(o.body());
                        String type = n.path("type").asText();
                        if (type.equals("intent")) {
                            if (matches(n, f) && openIntents.size() < limit) {
                                openIntents.put(n.path("call").asText(), n);
                            }
                        } else if (type.equals("call")) {
                            openIntents.remove(n.path("call").asText());
                            if (matches(n, f)) {
                                keep(found, n, limit, truncated);
                            }
                        } else if (type.equals("tool") && !f.callOnly() && matches(n, f)) {
                            keep(found, n, limit, truncated); // an MCP tool call (its API calls have their own records)
                        } else if (type.equals("lifecycle") && !f.callOnly() && matchesLifecycle(n, f)) {
                            keep(found, n, limit, truncated);
                        }
                        return true;
                    });
                }
            }
        }
        for (JsonNode intent : openIntents.values()) {
            ((ObjectNode) intent).put("outcome", "unknown");
            keep(found, intent, limit, truncated);
        }
        List<JsonNode> out = new ArrayList<>(found);
        out.sort(byTime);
        return new Result(out, truncated[0]);
    }

    private static void keep(java.util.PriorityQueue<JsonNode> found, JsonNode n, int limit, boolean[] truncated) {
        found.add(n);
        if (found.size() > limit) {
            found.poll();
            truncated[0] = true;
        }
    }

    private static boolean matches(JsonNode n, Filter f) {
        JsonNode r = n.path("request");
        return eq(f.session, n.path("session")) && eq(f.principal, n.path("principal").path("name"))
                && eq(f.verb, r.path("verb")) && eq(f.resource, r.path("resource")) && eq(f.namespace, r.path("namespace"))
                && eq(f.decision, n.path("decision").path("result")) && inTime(n, f);
    }

    private static boolean matchesLifecycle(JsonNode n, Filter f) {
        return eq(f.session, n.path("session")) && eq(f.principal, n.path("principal")) && inTime(n, f);
    }

    private static boolean eq(String want, JsonNode have) {
        return want == null || want.equals(have.asText());
    }

    private static boolean inTime(JsonNode n, Filter f) {
        if (f.since == null && f.until == null) {
            return true;
        }
        Instant t;
        try {
            t = Instant.parse(n.path("time").asText());
        } catch (DateTimeParseException e) {
            return false;
        }
        return (f.since == null || !t.isBefore(f.since)) && (f.until == null || t.isBefore(f.until));
    }
}
