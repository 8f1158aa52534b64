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
 * Two kubegate replicas behind HAProxy (TCP, round robin), no shared state and no sticky sessions:
 * an MCP session opened on one replica serves tool calls on the other, because MCP session ids need
 * no server state. Each request uses a new connection, so the balancer alternates replicas.
 */
class McpReplicasIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "mcp-replicas-agent";

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-mcp-replicas")
            .agent(TOKEN, "mcp-ha", "agents")
            .replicas(2).behindHaProxy();

    @BeforeAll
    static void start() throws Exception {
        kubegate.cluster().putObject("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ha","namespace":"default"},"data":{"k":"v"}}""");
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
