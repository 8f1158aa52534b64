package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.store.InMemoryStateStore;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two replicas' {@link Elicitations} over one store: the question asked on one is answered on the other. */
class ElicitationsTest {

    static final Principal ALICE = new Principal("alice-uid", "alice", "static", List.of("agents"), Optional.empty());
    static final Principal BOB = new Principal("bob-uid", "bob", "static", List.of("agents"), Optional.empty());

    final Vertx vertx = Vertx.vertx();
    final InMemoryStateStore store = new InMemoryStateStore(Clock.systemUTC());

    @AfterEach
    void close() {
        vertx.close();
    }

    ToolContext ctx(String session) {
        return new ToolContext("resources_delete", ALICE, "Bearer x", session, null, null);
    }

    @Test
    void anAnswerOnAnotherReplicaReachesTheWaitingCallOnlyFromTheSameSessionAndPrincipal() throws Exception {
        Elicitations a = new Elicitations(vertx, store, Duration.ofSeconds(20));
        Elicitations b = new Elicitations(vertx, store, Duration.ofSeconds(20));
        String session = McpSessions.open(ALICE, true);
        CompletableFuture<ObjectNode> sent = new CompletableFuture<>();
        CompletableFuture<Elicitations.Answer> answer = new CompletableFuture<>();
        vertx.runOnContext(v -> a.askJustification(ctx(session), "why?", sent::complete)
                .onComplete(ar -> { if (ar.succeeded()) answer.complete(ar.result()); else answer.completeExceptionally(ar.cause()); }));
        ObjectNode request = sent.get(10, TimeUnit.SECONDS);
        assertThat(request.path("method").asText()).isEqualTo("elicitation/create");
        assertThat(request.path("params").path("requestedSchema").path("required").get(0).asText()).isEqualTo("justification");
        String id = request.path("id").asText();
        assertThat(Elicitations.isOurs(request.path("id"))).isTrue();
        JsonNode reply = JsonRpc.JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":\"" + id
                + "\",\"result\":{\"action\":\"accept\",\"content\":{\"justification\":\"  INC-1\\nrollback  \"}}}");
        assertThat(on(() -> b.answered(BOB, session, reply))).isFalse();
        assertThat(on(() -> b.answered(ALICE, McpSessions.open(ALICE, true), reply))).isFalse();
        assertThat(answer).isNotDone();
        assertThat(on(() -> b.answered(ALICE, session, reply))).isTrue();
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Elicitations.Answer("accept", "INC-1 rollback"));
        // Answered once: the question is gone.
        assertThat(on(() -> b.answered(ALICE, session, reply))).isFalse();
    }

    @Test
    void noAnswerInTimeIsATimeoutAndDeclineOrAnEmptyAnswerIsNoJustification() throws Exception {
        Elicitations a = new Elicitations(vertx, store, Duration.ofMillis(300));
        CompletableFuture<Elicitations.Answer> answer = new CompletableFuture<>();
        vertx.runOnContext(v -> a.askJustification(ctx(McpSessions.open(ALICE, true)), "why?", m -> { })
                .onSuccess(answer::complete));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Elicitations.Answer.TIMEOUT);
        assertThat(Elicitations.parse(JsonRpc.JSON.readTree("{\"result\":{\"action\":\"decline\"}}")).action()).isEqualTo("decline");
        assertThat(Elicitations.parse(JsonRpc.JSON.readTree("{\"result\":{\"action\":\"accept\",\"content\":{\"justification\":\" \"}}}")).action())
                .isEqualTo("decline");
        assertThat(Elicitations.parse(JsonRpc.JSON.readTree("{\"error\":{\"code\":-1,\"message\":\"no\"}}")).action()).isEqualTo("cancel");
    }

    private boolean on(java.util.function.Supplier<io.vertx.core.Future<Boolean>> call) throws Exception {
        CompletableFuture<Boolean> r = new CompletableFuture<>();
        vertx.runOnContext(v -> call.get().onComplete(ar -> { if (ar.succeeded()) r.complete(ar.result()); else r.completeExceptionally(ar.cause()); }));
        return r.get(10, TimeUnit.SECONDS);
    }
}
