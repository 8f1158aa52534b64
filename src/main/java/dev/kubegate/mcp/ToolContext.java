package dev.kubegate.mcp;

import dev.kubegate.identity.Principal;
import io.vertx.core.http.HttpClientRequest;

import java.util.function.Consumer;

/**
 * One tool call: who makes it (the agent's principal and the exact credential it presented), in
 * which MCP session, from where, and how to tell the client about progress. {@link #onCancel}
 * remembers the API calls in flight so they end when the client goes away.
 */
final class ToolContext {

    final String tool;
    final Principal principal;
    final String authorization;
    final String mcpSession;
    final String clientAddress;
    /** This tool call's id: its own audit record, named by the records of its API calls. */
    final String callId = java.util.UUID.randomUUID().toString();
    private final Consumer<String> progress;
    /** Asks the client for a justification (elicitation), or null when it cannot be asked. */
    private final Asker asker;
    private volatile String justification;
    private volatile String elicitation;
    private final java.util.List<Runnable> onCancel = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<HttpClientRequest> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    /** Asks the client of the call why it makes a call that needs approval. */
    interface Asker {
        io.vertx.core.Future<Elicitations.Answer> justification(ToolContext ctx, String message);
    }

    ToolContext(String tool, Principal principal, String authorization, String mcpSession, String clientAddress,
                Consumer<String> progress) {
        this(tool, principal, authorization, mcpSession, clientAddress, progress, null);
    }

    ToolContext(String tool, Principal principal, String authorization, String mcpSession, String clientAddress,
                Consumer<String> progress, Asker asker) {
        this.tool = tool;
        this.principal = principal;
        this.authorization = authorization;
        this.mcpSession = mcpSession;
        this.clientAddress = clientAddress;
        this.progress = progress;
        this.asker = asker;
    }

    /** The marker of this call's API calls ({@link dev.kubegate.trail.ToolCallMarker}). */
    dev.kubegate.trail.ToolCallMarker.Mark mark() {
        return new dev.kubegate.trail.ToolCallMarker.Mark(tool, mcpSession, clientAddress, callId, justification,
                asker != null && justification == null);
    }

    /** The client can be asked for a justification, and has not given one yet. */
    boolean canAsk() {
        return asker != null && justification == null;
    }

    /** Asks the client for a justification; the answer is remembered for the rest of this tool call. */
    io.vertx.core.Future<Elicitations.Answer> askJustification(String message) {
        return asker.justification(this, message).onSuccess(a -> {
            elicitation = a.action();
            if ("accept".equals(a.action())) {
                justification = a.justification();
            }
        });
    }

    String justification() {
        return justification;
    }

    /** How the elicitation of this call ended, or null when none was asked. */
    String elicitation() {
        return elicitation;
    }

    /** Runs {@code action} when the client leaves (at once if it already has). */
    void onCancel(Runnable action) {
        onCancel.add(action);
        if (cancelled) {
            action.run();
        }
    }

    /** Sends a progress notification when the client asked for them (a progress token); else nothing. */
    void progress(String message) {
        if (progress != null && !cancelled) {
            progress.accept(message);
        }
    }

    boolean wantsProgress() {
        return progress != null;
    }

    boolean cancelled() {
        return cancelled;
    }

    void started(HttpClientRequest req) {
        if (cancelled) {
            req.reset();
        } else {
            inFlight.add(req);
        }
    }

    void ended(HttpClientRequest req) {
        inFlight.remove(req);
    }

    /** The client left: every API call still in flight is reset (a held approval stops waiting). */
    void cancel() {
        cancelled = true;
        inFlight.forEach(HttpClientRequest::reset);
        inFlight.clear();
        onCancel.forEach(Runnable::run);
    }
}
