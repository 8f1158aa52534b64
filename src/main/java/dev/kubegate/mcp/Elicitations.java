package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.store.StateStore;
import dev.kubegate.trail.ToolCallMarker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * MCP elicitation across replicas: the server asks the client a question ({@code elicitation/create})
 * in the SSE stream of a tool call, and the client answers with a separate POST that the load
 * balancer may send to any replica. So the question is a document in the shared state store (the one
 * approvals use), and the replica that receives the answer writes it there; the replica holding the
 * tool call hears of it on the store's change feed. The document binds the question to the MCP session
 * and principal that were asked, so nobody else can answer it.
 */
final class Elicitations {

    static final String KIND = "mcp-elicitation";
    private static final String ID_PREFIX = "kubegate-elicit-";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How an elicitation ended: {@code accept} (with the justification), {@code decline}, {@code cancel} or {@code timeout}. */
    record Answer(String action, String justification) {
        static final Answer TIMEOUT = new Answer("timeout", null);
        static final Answer CANCEL = new Answer("cancel", null);
    }

    private final Vertx vertx;
    private final StateStore store;
    private final Duration timeout;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final AutoCloseable feed;

    private record Waiting(Context context, Promise<Answer> answer) {
    }

    Elicitations(Vertx vertx, StateStore store, Duration timeout) {
        this.vertx = vertx;
        this.store = store;
        this.timeout = timeout;
        this.feed = store.subscribe(change -> {
            if (change.resync()) {
                waiting.keySet().forEach(this::look);
            } else if (KIND.equals(change.kind()) && !change.deleted() && waiting.containsKey(change.id())) {
                look(change.id());
            }
        });
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Asks the client of {@code ctx} for a justification: {@code send} writes the request into the tool
     * call's stream once the question is stored. Completes with the answer, {@link Answer#TIMEOUT} or
     * {@link Answer#CANCEL} (the client left); fails when the store cannot keep the question.
     */
    Future<Answer> askJustification(ToolContext ctx, String message, Consumer<ObjectNode> send) {
        byte[] r = new byte[18];
        RANDOM.nextBytes(r);
        String id = ID_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(r);
        ObjectNode doc = JsonRpc.JSON.createObjectNode().put("session", ctx.mcpSession).put("principal", ctx.principal.kind() + ":" + ctx.principal.id());
        Context context = vertx.getOrCreateContext();
        Promise<Answer> answer = Promise.promise();
        Instant expires = Instant.now().plus(timeout).plusSeconds(60);
        store.create(KIND, id, doc.toString(), expires).subscribe().with(created -> context.runOnContext(v -> {
            waiting.put(id, new Waiting(context, answer));
            long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> answer.tryComplete(Answer.TIMEOUT));
            ctx.onCancel(() -> answer.tryComplete(Answer.CANCEL));
            answer.future().onComplete(done -> {
                vertx.cancelTimer(timer);
                waiting.remove(id);
                store.delete(KIND, id).subscribe().with(x -> { }, e -> { }); // expires anyway
            });
            send.accept(request(id, message));
            look(id); // an answer may have been stored before this replica listened
        }), e -> answer.tryFail(new ToolError("kubegate could not ask for a justification (" + store.describe()
                + "): " + dev.kubegate.k8s.Status.describe(e) + "; no approval was requested and nothing was sent to the cluster")));
        return answer.future();
    }

    private static ObjectNode request(String id, String message) {
        ObjectNode params = JsonRpc.JSON.createObjectNode().put("message", message);
        ObjectNode schema = params.putObject("requestedSchema").put("type", "object");
        schema.putObject("properties").putObject("justification").put("type", "string").put("title", "Justification")
                .put("description", "Why this call is needed; shown to the approvers and kept in the audit trail")
                .put("minLength", 1).put("maxLength", ToolCallMarker.MAX_JUSTIFICATION);
        schema.putArray("required").add("justification");
        ObjectNode m = JsonRpc.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "elicitation/create");
        m.set("params", params);
        return m;
    }

    /** Whether {@code id} may be the id of one of these questions (a JSON-RPC response to route). */
    static boolean isOurs(JsonNode id) {
        return id != null && id.isTextual() && id.asText().startsWith(ID_PREFIX) && id.asText().length() < 100;
    }

    /**
     * A client's answer, POSTed to this replica: stored for the replica holding the tool call.
     * Completes with false when no such question is waiting for this session and principal.
     */
    Future<Boolean> answered(Principal principal, String session, JsonNode message) {
        String id = message.path("id").asText();
        Answer a = parse(message);
        Promise<Boolean> done = Promise.promise();
        Context context = vertx.getOrCreateContext();
        store.get(KIND, id).subscribe().with(found -> {
            Optional<JsonNode> doc = found.map(d -> readTree(d.json()));
            if (doc.isEmpty() || !session.equals(doc.get().path("session").asText())
                    || !(principal.kind() + ":" + principal.id()).equals(doc.get().path("principal").asText())
                    || doc.get().has("action")) {
                context.runOnContext(v -> done.complete(false));
                return;
            }
            ObjectNode updated = ((ObjectNode) doc.get()).put("action", a.action());
            if (a.justification() != null) updated.put("justification", a.justification());
            StateStore.Document d = found.get();
            store.update(KIND, id, d.version(), updated.toString(), d.expiresAt()).subscribe().with(
                    u -> context.runOnContext(v -> done.complete(true)),
                    e -> context.runOnContext(v -> done.complete(false)));
        }, e -> context.runOnContext(v -> done.tryFail(e)));
        return done.future();
    }

    /** The answer as the client sent it; an error response or a malformed answer counts as cancel. */
    static Answer parse(JsonNode message) {
        JsonNode result = message.path("result");
        String action = result.path("action").asText("");
        if ("accept".equals(action)) {
            JsonNode j = result.path("content").path("justification");
            String text = j.isTextual() ? ToolCallMarker.bounded(j.asText()) : "";
            return text.isEmpty() ? new Answer("decline", null) : new Answer("accept", text);
        }
        return new Answer("decline".equals(action) ? "decline" : "cancel", null);
    }

    private void look(String id) {
        Waiting w = waiting.get(id);
        if (w == null) {
            return;
        }
        store.get(KIND, id).subscribe().with(found -> found.map(d -> readTree(d.json())).filter(n -> n.has("action"))
                .ifPresent(n -> w.context().runOnContext(v -> w.answer().tryComplete(
                        new Answer(n.path("action").asText(), n.path("justification").asText(null))))),
                e -> { }); // the timer ends the wait
    }

    private static JsonNode readTree(String json) {
        try {
            return JsonRpc.JSON.readTree(json);
        } catch (java.io.IOException e) {
            return JsonRpc.JSON.createObjectNode();
        }
    }

    void close() {
        try {
            feed.close();
        } catch (Exception ignored) {
            // shutting down
        }
    }
}
