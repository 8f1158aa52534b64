package dev.kubegate.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/** The official MCP Java SDK client (Streamable HTTP) pointed at a gateway's {@code /kubegate/mcp}, as an agent with a bearer token. */
public final class McpClients {

    private McpClients() {
    }

    /** A client (not yet initialized) whose progress notifications go to {@code onProgress}. */
    public static McpSyncClient of(GatewayProcess gateway, String token, Duration timeout,
                                   Consumer<McpSchema.ProgressNotification> onProgress) throws Exception {
        return McpClient.sync(transport(gateway.url(), gateway, token)).requestTimeout(timeout).progressConsumer(onProgress).build();
    }

    /**
     * A client that declares the elicitation capability and answers every {@code elicitation/create}
     * with {@code onElicit}; {@code url} is where it sends every request (a gateway, or HAProxy in front of several).
     */
    public static McpSyncClient eliciting(String url, GatewayProcess tlsOf, String token, Duration timeout,
                                          Consumer<McpSchema.ProgressNotification> onProgress,
                                          Function<McpSchema.ElicitFormRequest, McpSchema.ElicitResult> onElicit) throws Exception {
        return McpClient.sync(transport(url, tlsOf, token)).requestTimeout(timeout).progressConsumer(onProgress)
                .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build()).elicitation(onElicit).build();
    }

    private static HttpClientStreamableHttpTransport transport(String url, GatewayProcess tlsOf, String token) throws Exception {
        return HttpClientStreamableHttpTransport.builder(url)
                .endpoint("/kubegate/mcp")
                .clientBuilder(HttpClient.newBuilder().sslContext(tlsOf.sslContext()).connectTimeout(Duration.ofSeconds(5)))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
    }
}
