package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two kubegate replicas behind HAProxy (TCP, round robin), sharing a PostgreSQL state store as HA
 * deployments do, no sticky sessions: an MCP session opened on one replica serves tool calls on the
 * other, because MCP session ids need no server state. Each request uses a new connection, so the
 * balancer alternates replicas. An elicitation asked on one replica is answered on the other: the
 * answer reaches the waiting tool call through the shared store.
 */
class McpReplicasIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "mcp-replicas-agent";
    static final String OTHER = "mcp-replicas-other";
    static final String APPROVER = "mcp-replicas-approver";

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-mcp-replicas")
            .agent(TOKEN, "mcp-ha", "agents")
            .agent(OTHER, "mcp-other", "agents")
            .admin(APPROVER, "carol", "kubegate-approvers")
            .setting("kubegate.approval.wait", "60s")
            .replicas(2).postgresStore().behindHaProxy();

    @BeforeAll
    static void start() throws Exception {
        kubegate.cluster().putObject("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ha","namespace":"default"},"data":{"k":"v"}}""");
    }

    /** One request to {@code url} as {@code token}, answered as a stream of lines (an SSE stream is read as it comes). */
    static HttpResponse<java.util.stream.Stream<String>> postTo(String url, String token, String session, String body) throws Exception {
        HttpClient fresh = HttpClient.newBuilder().sslContext(kubegate.gateway().sslContext()).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/kubegate/mcp"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
        return fresh.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    }

    static String body(HttpResponse<java.util.stream.Stream<String>> r) {
        return String.join("\n", r.body().toList());
    }

    static String initializeEliciting(String url, String token) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> init = postTo(url, token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},
                 "clientInfo":{"name":"ha","version":"1"}}}""");
        assertThat(init.statusCode()).isEqualTo(200);
        init.body().close();
        return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    static String answer(String elicitationId, String justification) {
        return """
                {"jsonrpc":"2.0","id":"%s","result":{"action":"accept","content":{"justification":"%s"}}}""".formatted(elicitationId, justification);
    }

    @Test
    void anElicitationAskedOnOneReplicaIsAnsweredOnTheOther() throws Exception {
        kubegate.cluster().putObject("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"mcp-ha-why\"}}");
        String a = kubegate.replica(0).url(), b = kubegate.replica(1).url();
        String session = initializeEliciting(a, TOKEN);
        HttpResponse<java.util.stream.Stream<String>> call = postTo(a, TOKEN, session, """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"resources_delete",
                 "arguments":{"apiVersion":"v1","kind":"Namespace","name":"mcp-ha-why"}}}""");
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        java.util.Iterator<String> events = call.body().iterator();
        JsonNode asked = nextMessage(events);
        assertThat(asked.path("method").asText()).isEqualTo("elicitation/create");
        assertThat(asked.path("params").path("requestedSchema").path("properties").has("justification")).isTrue();
        String id = asked.path("id").asText();
        // Not answerable by another principal, nor from another session of the same one.
        assertThat(postTo(b, OTHER, initializeEliciting(b, OTHER), answer(id, "not mine")).statusCode()).isEqualTo(400);
        assertThat(postTo(b, TOKEN, initializeEliciting(b, TOKEN), answer(id, "other session")).statusCode()).isEqualTo(400);
        String why = "INC-7: replica test namespace";
        HttpResponse<java.util.stream.Stream<String>> answered = postTo(b, TOKEN, session, answer(id, why));
        assertThat(answered.statusCode()).as(body(answered)).isEqualTo(202);
        // Replica A now asks for approval with the justification that reached replica B.
        String approval = null;
        for (int i = 0; i < 100 && approval == null; i++) {
            for (JsonNode item : JSON.readTree(kubegate.replica(1).api(APPROVER).get("/kubegate/v1/approvals?status=pending").asString()).path("items")) {
                if ("mcp-ha-why".equals(item.path("request").path("name").asText())) {
                    assertThat(item.path("requester").path("justification").asText()).isEqualTo(why);
                    approval = item.path("id").asText();
                }
            }
            if (approval == null) Thread.sleep(200);
        }
        assertThat(approval).as("a pending approval for mcp-ha-why").isNotNull();
        var approved = kubegate.replica(1).api(APPROVER).contentType("application/json").body("{\"reason\":\"ok\"}")
                .post("/kubegate/v1/approvals/" + approval + "/approve");
        assertThat(approved.statusCode()).as(approved.asString()).isEqualTo(200);
        JsonNode result = nextMessage(events);
        assertThat(result.path("id").asInt()).isEqualTo(7);
        assertThat(result.path("result").path("isError").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.path("result").path("content").get(0).path("text").asText()).contains("Namespace mcp-ha-why deleted");
        // The same answer again: the question is gone.
        assertThat(postTo(b, TOKEN, session, answer(id, why)).statusCode()).isEqualTo(400);
    }

    /** The next JSON-RPC message of an SSE stream (its {@code data:} line). */
    static JsonNode nextMessage(java.util.Iterator<String> lines) throws Exception {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data: ")) {
                return JSON.readTree(line.substring(6));
            }
        }
        throw new AssertionError("the stream ended without another message");
    }

    /** One request on a new connection (the balancer picks the replica per connection). */
    static HttpResponse<String> post(String session, String body) throws Exception {
        HttpClient fresh = HttpClient.newBuilder().sslContext(kubegate.gateway().sslContext()).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(kubegate.lb().url() + "/kubegate/mcp"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
        return fresh.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aToolCallWorksWhicheverReplicaReceivesIt() throws Exception {
        HttpResponse<String> init = post(null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},
                 "clientInfo":{"name":"ha","version":"1"}}}""");
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(post(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode()).isEqualTo(202);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = post(session, """
                    {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"resources_get",
                     "arguments":{"apiVersion":"v1","kind":"ConfigMap","namespace":"default","name":"ha"}}}""".formatted(10 + i));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode result = JSON.readTree(r.body()).path("result");
            assertThat(result.path("isError").asBoolean()).as(r.body()).isFalse();
            assertThat(result.path("content").get(0).path("text").asText()).contains("name: ha", "k: v");
        }
        // Both replicas served tool calls of the one MCP session.
        for (GatewayProcess r : kubegate.replicas()) {
            assertThat(r.logText()).as("replica on port " + r.port()).contains("get configmaps \"ha\" in namespace \"default\" 200");
        }
    }
}
