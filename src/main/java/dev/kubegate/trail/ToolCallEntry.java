package dev.kubegate.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;

import java.time.Duration;
import java.time.Instant;

/**
 * One MCP {@code tools/call} as the audit trail records it (type {@code tool}), whatever the tool:
 * kubegate's own tools make no API call, and a Kubernetes tool's API calls carry this record's id
 * ({@code client.mcp.call}) so the tool call and what it did read together.
 *
 * @param id            the tool call's id (the record id)
 * @param arguments     a summary of the arguments, never a raw object that may hold Secret values
 * @param justification what the user answered when asked why (MCP elicitation), or null
 * @param elicitation   how the elicitation ended ({@code accept}, {@code decline}, {@code cancel}, {@code timeout}), or null
 * @param error         whether the tool result was an error
 * @param message       the tool's error message (bounded), or null
 */
public record ToolCallEntry(String id, Instant time, Principal principal, String source, String tool, String mcpSession,
                            ObjectNode arguments, String justification, String elicitation, boolean error, String message,
                            Duration latency) {

    static final int MAX_MESSAGE = 2048;

    ObjectNode toJson(ObjectNode e) {
        e.put("type", "tool");
        e.put("id", id);
        e.put("time", time.toString());
        if (source != null) e.put("source", source);
        ObjectNode pn = e.putObject("principal");
        pn.put("name", principal.name()).put("kind", principal.kind()).put("id", principal.id());
        principal.groups().forEach(pn.putArray("groups")::add);
        principal.session().ifPresent(s -> e.put("session", s.id()));
        ObjectNode mcp = e.putObject("client").putObject("mcp").put("tool", tool).put("session", mcpSession);
        mcp.set("arguments", arguments);
        if (justification != null) mcp.put("justification", justification);
        if (elicitation != null) mcp.put("elicitation", elicitation);
        ObjectNode o = e.putObject("outcome").put("error", error);
        if (message != null) o.put("message", message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…");
        e.put("latencyMs", latency.toMillis());
        return e;
    }
}
