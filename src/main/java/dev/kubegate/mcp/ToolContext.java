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
    private final Consumer<String> progress;
    private final java.util.Set<HttpClientRequest> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    ToolContext(String tool, Principal principal, String authorization, String mcpSession, String clientAddress,
                Consumer<String> progress) {
        this.tool = tool;
        this.principal = principal;
        this.authorization = authorization;
        this.mcpSession = mcpSession;
        this.clientAddress = clientAddress;
        this.progress = progress;
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
    }
}
