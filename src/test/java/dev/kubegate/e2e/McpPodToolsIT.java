package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.McpClients;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pods_log and pods_exec through kubegate's MCP endpoint, with the official MCP Java SDK client.
 * Logs and exec need a kubelet, so the cluster is the test double (it speaks the real log and
 * WebSocket exec protocols): the tools' output is masked like kubectl's, and the exec is judged and
 * recorded like kubectl exec.
 */
class McpPodToolsIT {

    static final String TOKEN = "mcp-pods-agent-token";
    static final String DB_PASSWORD = "Mcp-Db-Pa55word-7731";

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-mcp-pods")
            .agent(TOKEN, "mcp-pods", "agents")
            .setting("kubegate.mcp.max-output", "2Ki")
            .setting("kubegate.mcp.exec-timeout", "2s")
            .setting("quarkus.vertx.max-event-loop-execute-time", "100ms")
            .setting("quarkus.vertx.warning-exception-time", "100ms");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static McpSyncClient agent;

    @BeforeAll
    static void start() throws Exception {
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},
                 "data":{"password":"%s"}}""".formatted(Base64.getEncoder().encodeToString(DB_PASSWORD.getBytes(StandardCharsets.UTF_8))));
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},
                 "spec":{"containers":[{"name":"app","image":"nginx",
                   "env":[{"name":"DB_PASS","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}},
                          {"name":"LOG_LEVEL","value":"debug"}]}]}}""");
        cluster.addPodLogLines("default", "app", List.of("starting", "connecting with password " + DB_PASSWORD, "ready"));
        agent = McpClients.of(gateway, TOKEN, Duration.ofSeconds(60), p -> { });
        agent.initialize();
    }

    static McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return agent.callTool(McpSchema.CallToolRequest.builder().name(tool).arguments(args).build());
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void podsLogIsMaskedLikeKubectlLogs() {
        McpSchema.CallToolResult r = call("pods_log", Map.of("name", "app"));
        assertThat(r.isError()).as(text(r)).isFalse();
        assertThat(text(r)).contains("starting", "connecting with password ***", "ready").doesNotContain(DB_PASSWORD);
    }

    @Test
    void podsExecRunsTheCommandAndMasksItsOutput() {
        McpSchema.CallToolResult r = call("pods_exec", Map.of("name", "app", "command", List.of("env")));
        assertThat(r.isError()).as(text(r)).isFalse();
        assertThat(text(r)).contains("DB_PASS=***", "LOG_LEVEL=debug").doesNotContain(DB_PASSWORD);
    }

    @Test
    void podsExecOfAMissingPodIsAToolError() {
        McpSchema.CallToolResult r = call("pods_exec", Map.of("name", "nope", "command", List.of("env")));
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).contains("404", "nope");
    }

    @Test
    void longOutputIsCutAndSaysSo() {
        McpSchema.CallToolResult r = call("pods_exec", Map.of("name", "app", "command", List.of("echo", "x".repeat(3000))));
        assertThat(r.isError()).as(text(r)).isFalse();
        assertThat(text(r)).contains("output cut at 2048 characters").hasSizeLessThan(2200);
    }

    @Test
    void aCommandThatRunsTooLongIsStopped() {
        long t0 = System.nanoTime();
        McpSchema.CallToolResult r = call("pods_exec", Map.of("name", "app", "command", List.of("sleep", "30")));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(text(r)).contains("stopped after 2s");
    }
}
