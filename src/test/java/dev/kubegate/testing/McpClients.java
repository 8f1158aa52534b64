package dev.kubegate.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.Consumer;

/** The official MCP Java SDK client (Streamable HTTP) pointed at a gateway's {@code /kubegate/mcp}, as an agent with a bearer token. */
public final class McpClients {

    private McpClients() {
    }

    /** A client (not yet initialized) whose progress notifications go to {@code onProgress}. */
    public static McpSyncClient of(GatewayProcess gateway, String token, Duration timeout,
                                   Consumer<McpSchema.ProgressNotification> onProgress) throws Exception {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(gateway.url())
                .endpoint("/kubegate/mcp")
                .clientBuilder(HttpClient.newBuilder().sslContext(gateway.sslContext()).connectTimeout(Duration.ofSeconds(5)))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(timeout).progressConsumer(onProgress).build();
    }
}
