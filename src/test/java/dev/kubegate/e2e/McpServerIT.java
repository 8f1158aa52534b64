package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.McpClients;
import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.RealKubeApiServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kubegate as an MCP server, driven by the official MCP Java SDK client over Streamable HTTP,
 * in front of the real kube-apiserver: the tools' calls go through the same policy, approvals,
 * masking and audit as kubectl's, and their refusals are tool errors with the policy's message.
 */
class McpServerIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALICE = "alice-mcp-" + UUID.randomUUID();
    static final String BOB = "bob-mcp-" + UUID.randomUUID();
    static final String APPROVER = "approver-mcp-" + UUID.randomUUID();

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl kubectl;
    static McpSyncClient alice;
    static final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", "the real kube-apiserver tests");
        Path dir = Files.createTempDirectory("kubegate-mcp");
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, ALICE + ",alice,alice-uid,\"agents\"\n" + BOB + ",bob,bob-uid,\"viewers\"\n");
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, APPROVER + ",carol,carol-uid,\"kubegate-approvers\"\n");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approval.wait", "60s",
                "kubegate.mcp.elicitation-timeout", "10s",
                "kubegate.limits.max-request-body", "64Ki"));
        gateway.awaitReady();
        kubectl = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), ALICE));
        alice = client(ALICE, progress::add);
        alice.initialize();
    }

    @AfterAll
    static void stop() {
        if (alice != null) alice.closeGracefully();
        if (gateway != null) gateway.close();
        if (apiserver != null) apiserver.close();
    }

    static McpSyncClient client(String token, java.util.function.Consumer<McpSchema.ProgressNotification> onProgress) throws Exception {
        return McpClients.of(gateway, token, Duration.ofSeconds(90), onProgress);
    }

    static McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return alice.callTool(McpSchema.CallToolRequest.builder().name(tool).arguments(args).build());
    }

    static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    static String ok(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(tool, args);
        assertThat(r.isError()).as(tool + " " + args + ": " + text(r)).isFalse();
        return text(r);
    }

    static String error(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(tool, args);
        assertThat(r.isError()).as(tool + " " + args + ": " + text(r)).isTrue();
        return text(r);
    }

    static HttpResponse<String> post(String token, String sessionId, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (sessionId != null) b.header("Mcp-Session-Id", sessionId);
        return gateway.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String initialize(String token) throws Exception {
        HttpResponse<String> r = post(token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},
                 "clientInfo":{"name":"raw","version":"1"}}}""".getBytes());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    @Test
    void initializeNegotiatesTheProtocolAndListsTheCoreToolsWithSchemas() {
        McpSchema.InitializeResult init = alice.getCurrentInitializationResult();
        assertThat(init.protocolVersion()).isEqualTo("2025-06-18");
        assertThat(init.serverInfo().name()).isEqualTo("kubegate");
        List<McpSchema.Tool> tools = alice.listTools().tools();
        assertThat(tools).extracting(McpSchema.Tool::name).contains("namespaces_list", "events_list", "pods_list",
                "pods_list_in_namespace", "pods_get", "pods_delete", "pods_log", "pods_exec", "resources_list", "resources_get",
                "resources_create_or_update", "resources_delete", "resources_scale", "policy_explain", "approval_status");
        McpSchema.Tool list = tools.stream().filter(t -> t.name().equals("resources_list")).findFirst().orElseThrow();
        assertThat(list.inputSchema().get("required")).asList().containsExactlyInAnyOrder("apiVersion", "kind");
        assertThat(((Map<?, ?>) list.inputSchema().get("properties")).keySet().stream().map(Object::toString).toList())
                .contains("apiVersion", "kind", "namespace", "labelSelector", "fieldSelector");
        McpSchema.Tool exec = tools.stream().filter(t -> t.name().equals("pods_exec")).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) ((Map<?, ?>) exec.inputSchema().get("properties")).get("command")).get("type")).isEqualTo("array");
    }

    @Test
    void anOlderProtocolVersionIsNegotiatedAndAnUnknownOneGetsTheLatest() throws Exception {
        for (String[] asked : new String[][]{{"2025-03-26", "2025-03-26"}, {"1999-01-01", "2025-06-18"}}) {
            HttpResponse<String> r = post(ALICE, null, ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"" + asked[0] + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}").getBytes());
            assertThat(JSON.readTree(r.body()).path("result").path("protocolVersion").asText()).isEqualTo(asked[1]);
        }
    }

    @Test
    void createListGetUpdateAndDeleteThroughTheTools() {
        String cm = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: mcp-settings, namespace: default, labels: {app: mcp}}
                data: {mode: blue}
                """;
        assertThat(ok("resources_create_or_update", Map.of("resource", cm))).contains("name: mcp-settings", "mode: blue");
        assertThat(ok("resources_create_or_update", Map.of("resource", cm.replace("blue", "green")))).contains("mode: green");
        assertThat(ok("resources_get", Map.of("apiVersion", "v1", "kind", "ConfigMap", "namespace", "default", "name", "mcp-settings")))
                .contains("mode: green").doesNotContain("managedFields");
        String table = ok("resources_list", Map.of("apiVersion", "v1", "kind", "ConfigMap", "namespace", "default", "labelSelector", "app=mcp"));
        assertThat(table).startsWith("NAME").contains("mcp-settings");
        assertThat(ok("resources_list", Map.of("apiVersion", "v1", "kind", "ConfigMap", "namespace", "default",
                "fieldSelector", "metadata.name=mcp-settings", "output", "yaml"))).contains("kind: ConfigMapList", "mode: green");
        assertThat(ok("namespaces_list", Map.of())).contains("NAME", "default", "kube-system");
        // The field manager is kubegate-mcp, as the API server recorded it.
        assertThat(kubectl.run("-n", "default", "get", "configmap", "mcp-settings", "--show-managed-fields", "-o", "yaml").stdout())
                .contains("manager: kubegate-mcp");
        ok("resources_create_or_update", Map.of("resource", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: mcp-web, namespace: default}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: mcp-web}}
                  template:
                    metadata: {labels: {app: mcp-web}}
                    spec: {containers: [{name: web, image: busybox}]}
                """));
        assertThat(ok("resources_scale", Map.of("apiVersion", "apps/v1", "kind", "Deployment", "namespace", "default", "name", "mcp-web", "scale", 3)))
                .contains("replicas: 3");
        assertThat(ok("resources_list", Map.of("apiVersion", "apps/v1", "kind", "Deployment"))).contains("NAMESPACE", "mcp-web", "0/3");
        assertThat(ok("resources_delete", Map.of("apiVersion", "v1", "kind", "ConfigMap", "namespace", "default", "name", "mcp-settings")))
                .contains("deleted");
        assertThat(error("resources_get", Map.of("apiVersion", "v1", "kind", "ConfigMap", "namespace", "default", "name", "mcp-settings")))
                .contains("404", "not found");
        assertThat(ok("pods_list_in_namespace", Map.of("namespace", "kube-system"))).isEqualTo("No resources found.");
    }

    @Test
    void aPrivilegedPodIsDeniedWithThePolicyMessageAndNothingIsCreated() {
        String refused = error("resources_create_or_update", Map.of("resource", """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mcp-priv", "namespace": "default"},
                 "spec": {"containers": [{"name": "a", "image": "busybox", "securityContext": {"privileged": true}}]}}
                """));
        assertThat(refused).contains("403", "privileged containers are not allowed (spec.containers[0].securityContext.privileged)");
        assertThat(error("pods_get", Map.of("name", "mcp-priv"))).contains("not found");
        // policy_explain says the same without making the call.
        String explained = ok("policy_explain", Map.of("verb", "create", "apiVersion", "v1", "kind", "Pod", "namespace", "default",
                "resource", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}"));
        assertThat(explained).contains("decision: denied", "privileged containers are not allowed");
        assertThat(ok("policy_explain", Map.of("verb", "delete", "apiVersion", "v1", "kind", "Namespace", "name", "team-a")))
                .contains("decision: held for approval by kubegate-approvers", "deleting a namespace");
    }

    @Test
    void aDeleteHeldForApprovalReportsProgressAndProceedsOnceApproved() throws Exception {
        ok("resources_create_or_update", Map.of("resource", "apiVersion: v1\nkind: Namespace\nmetadata: {name: mcp-held}\n"));
        progress.clear();
        CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(() -> alice.callTool(
                McpSchema.CallToolRequest.builder().name("resources_delete").progressToken("held-1")
                        .arguments(Map.of("apiVersion", "v1", "kind", "Namespace", "name", "mcp-held")).build()));
        await().atMost(20, TimeUnit.SECONDS).until(() -> progress.stream().anyMatch(p -> p.message() != null && p.message().contains("waiting for approval ap-")));
        McpSchema.ProgressNotification first = progress.stream().filter(p -> p.message().contains("waiting for approval")).findFirst().orElseThrow();
        assertThat(first.progressToken()).isEqualTo("held-1");
        assertThat(first.message()).contains("delete namespaces", "mcp-held", "kubegate-approvers", "kubegate approvals approve");
        Matcher m = Pattern.compile("(ap-[A-Za-z0-9-]+)").matcher(first.message());
        assertThat(m.find()).isTrue();
        String id = m.group(1);
        assertThat(held).isNotDone();
        assertThat(ok("approval_status", Map.of("id", id))).contains("status: pending", "delete namespaces");
        var approved = gateway.api(APPROVER).contentType("application/json").body("{\"reason\":\"mcp test\"}")
                .post("/kubegate/v1/approvals/" + id + "/approve");
        assertThat(approved.statusCode()).as(approved.asString()).isEqualTo(200);
        McpSchema.CallToolResult result = held.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).as(text(result)).isFalse();
        assertThat(text(result)).contains("Namespace mcp-held deleted");
        // Without a namespace controller the real API server keeps it Terminating: deleted, not gone.
        assertThat(ok("resources_get", Map.of("apiVersion", "v1", "kind", "Namespace", "name", "mcp-held"))).contains("deletionTimestamp");
        assertThat(ok("approval_status", Map.of("id", id))).containsPattern("status: (approved|used)");
        // Someone else's approval id is not found for bob.
        try (McpSyncClient bob = client(BOB, p -> { })) {
            bob.initialize();
            McpSchema.CallToolResult other = bob.callTool(McpSchema.CallToolRequest.builder().name("approval_status").arguments(Map.of("id", id)).build());
            assertThat(other.isError()).isTrue();
            assertThat(text(other)).contains("no approval request " + id + " of yours");
        }
    }

    @Test
    void secretValuesAreMaskedInResourcesGet() {
        String value = "Mcp-S3cret-" + UUID.randomUUID();
        String b64 = java.util.Base64.getEncoder().encodeToString(value.getBytes());
        ok("resources_create_or_update", Map.of("resource", """
                apiVersion: v1
                kind: Secret
                metadata: {name: mcp-secret, namespace: default}
                stringData: {password: %s}
                """.formatted(value)));
        String got = ok("resources_get", Map.of("apiVersion", "v1", "kind", "Secret", "namespace", "default", "name", "mcp-secret"));
        assertThat(got).contains("password:").doesNotContain(value, b64, b64.substring(0, 12));
        assertThat(got).contains("Kioq");
        assertThat(ok("resources_list", Map.of("apiVersion", "v1", "kind", "Secret", "namespace", "default", "output", "yaml")))
                .contains("mcp-secret").doesNotContain(value, b64);
    }

    @Test
    void auditRecordsNameTheToolAndTheMcpSession() throws Exception {
        ok("resources_get", Map.of("apiVersion", "v1", "kind", "Namespace", "name", "default"));
        String sessionId = initialize(ALICE);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            var r = gateway.api(APPROVER).get("/kubegate/v1/audit/events?principal=alice&resource=namespaces&verb=get&limit=1000");
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            JsonNode found = null;
            for (JsonNode e : JSON.readTree(r.asString()).path("items")) {
                if ("resources_get".equals(e.path("client").path("mcp").path("tool").asText())) found = e;
            }
            assertThat(found).as(r.asString()).isNotNull();
            assertThat(found.path("client").path("mcp").path("session").asText()).startsWith("mcp-");
            assertThat(found.path("client").path("userAgent").asText()).isEqualTo("kubegate-mcp/resources_get");
            assertThat(found.path("source").asText()).isNotEmpty();
        });
        // A marker sent by an agent itself is dropped, never trusted.
        HttpResponse<String> forged = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces/kube-public"))
                .header("Authorization", "Bearer " + ALICE).header("Kubegate-Mcp-Key", "guess").header("Kubegate-Mcp-Tool", "forged_tool")
                .header("Kubegate-Mcp-Session", sessionId).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(200);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            var r = gateway.api(APPROVER).get("/kubegate/v1/audit/events?principal=alice&resource=namespaces&name=kube-public&limit=1000");
            assertThat(r.asString()).contains("kube-public").doesNotContain("forged_tool");
        });
    }

    @Test
    void missingOrRevokedCredentialsAre401WithWwwAuthenticate() throws Exception {
        HttpResponse<String> none = post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}".getBytes());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer ").contains("resource_metadata=");
        HttpResponse<String> bad = post("not-a-token", null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}".getBytes());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");

        var issued = gateway.api(ALICE).contentType("application/json").body("{}").post("/kubegate/v1/sessions");
        assertThat(issued.statusCode()).as(issued.asString()).isEqualTo(201);
        String token = JSON.readTree(issued.asString()).path("status").path("token").asText();
        try (McpSyncClient session = client(token, p -> { })) {
            session.initialize();
            assertThat(session.callTool(McpSchema.CallToolRequest.builder().name("namespaces_list").arguments(Map.of()).build()).isError()).isFalse();
            String sessionId = JSON.readTree(gateway.api(token).get("/kubegate/v1/sessions/current").asString()).path("id").asText();
            assertThat(gateway.api(token).delete("/kubegate/v1/sessions/" + sessionId).statusCode()).isEqualTo(200);
            String mcpSession = initializeOrNull(token);
            assertThat(mcpSession).isNull();
            HttpResponse<String> revoked = post(token, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}".getBytes());
            assertThat(revoked.statusCode()).isEqualTo(401);
            assertThat(revoked.body()).contains("revoked");
            assertThat(revoked.headers().firstValue("WWW-Authenticate")).isPresent();
        }
    }

    @Test
    void kubegatesOwnToolsAndEveryOtherToolCallLeaveVerifiedToolRecords() throws Exception {
        String session = initialize(ALICE);
        HttpResponse<String> explained = post(ALICE, session, ("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"policy_explain\",\"arguments\":{\"verb\":\"delete\",\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                + "\"name\":\"audited-ns\"}}}").getBytes());
        assertThat(explained.body()).contains("held for approval");
        String missing = error("approval_status", Map.of("id", "ap-doesnotexist"));
        assertThat(missing).contains("no approval request ap-doesnotexist");
        String secret = "Tool-Arg-S3cret-" + UUID.randomUUID();
        String applied = "apiVersion: v1\nkind: Secret\nmetadata: {name: mcp-audited, namespace: default}\nstringData: {token: " + secret + "}\n";
        ok("resources_create_or_update", Map.of("resource", applied));
        String appliedSha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(applied.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
            var r = gateway.api(APPROVER).get("/kubegate/v1/audit/events?principal=alice&limit=1000");
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            // The tool records keep a summary of the arguments, never an applied object's values.
            assertThat(r.asString()).doesNotContain(secret);
            JsonNode explain = null, status = null, apply = null;
            for (JsonNode e : JSON.readTree(r.asString()).path("items")) {
                if (!"tool".equals(e.path("type").asText())) continue;
                JsonNode mcp = e.path("client").path("mcp");
                if (mcp.path("tool").asText().equals("policy_explain") && mcp.path("session").asText().equals(session)) explain = e;
                if (mcp.path("tool").asText().equals("approval_status") && mcp.path("arguments").path("id").asText().equals("ap-doesnotexist")) status = e;
                if (mcp.path("tool").asText().equals("resources_create_or_update")
                        && appliedSha.equals(mcp.path("arguments").path("resource").path("sha256").asText())) apply = e;
            }
            assertThat(explain).as("policy_explain record").isNotNull();
            assertThat(explain.path("principal").path("name").asText()).isEqualTo("alice");
            assertThat(explain.path("client").path("mcp").path("arguments").path("name").asText()).isEqualTo("audited-ns");
            assertThat(explain.path("outcome").path("error").asBoolean()).isFalse();
            assertThat(status).as("approval_status record").isNotNull();
            assertThat(status.path("outcome").path("error").asBoolean()).isTrue();
            assertThat(status.path("outcome").path("message").asText()).contains("no approval request ap-doesnotexist");
            assertThat(apply).as("resources_create_or_update record").isNotNull();
            // The API call the tool made names the tool call's record.
            String callId = apply.path("id").asText();
            boolean linked = false;
            for (JsonNode e : JSON.readTree(r.asString()).path("items")) {
                linked |= "call".equals(e.path("type").asText()) && callId.equals(e.path("client").path("mcp").path("call").asText())
                        && "secrets".equals(e.path("request").path("resource").asText());
            }
            assertThat(linked).as("an API record with client.mcp.call = " + callId).isTrue();
        });
        // The tool records are in the same signed, hash-chained stream: the verifier accepts it whole.
        JsonNode verified = JSON.readTree(gateway.api(APPROVER).post("/kubegate/v1/audit/verify").asString());
        assertThat(verified.path("ok").asBoolean()).as(verified.toString()).isTrue();
    }

    /** A client that answers elicitation with {@code answer}, counting the questions it gets. */
    static McpSyncClient eliciting(List<McpSchema.ElicitFormRequest> asked, java.util.function.Supplier<McpSchema.ElicitResult> answer) throws Exception {
        McpSyncClient c = McpClients.eliciting(gateway.url(), gateway, ALICE, Duration.ofSeconds(90), progress::add, req -> {
            asked.add(req);
            return answer.get();
        });
        c.initialize();
        return c;
    }

    static McpSchema.CallToolResult deleteNamespace(McpSyncClient c, String name, String progressToken) {
        return c.callTool(McpSchema.CallToolRequest.builder().name("resources_delete").progressToken(progressToken)
                .arguments(Map.of("apiVersion", "v1", "kind", "Namespace", "name", name)).build());
    }

    @Test
    void aClientThatAnswersElicitationIsAskedWhyAndTheApproversSeeTheAnswer() throws Exception {
        ok("resources_create_or_update", Map.of("resource", "apiVersion: v1\nkind: Namespace\nmetadata: {name: mcp-why}\n"));
        List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
        String why = "ticket OPS-42: the mcp-why namespace is left over from a load test";
        try (McpSyncClient c = eliciting(asked, () -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("justification", why)))) {
            progress.clear();
            CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(() -> deleteNamespace(c, "mcp-why", "why-1"));
            await().atMost(30, TimeUnit.SECONDS).until(() -> progress.stream().anyMatch(p -> p.message() != null && p.message().contains("waiting for approval ap-")));
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).message()).contains("delete namespaces", "needs approval", "kubegate-approvers");
            assertThat(((Map<?, ?>) asked.get(0).requestedSchema().get("properties")).keySet().stream().map(Object::toString).toList())
                    .containsExactly("justification");
            Matcher m = Pattern.compile("(ap-[A-Za-z0-9-]+)").matcher(progress.stream().filter(p -> p.message().contains("waiting for approval"))
                    .findFirst().orElseThrow().message());
            assertThat(m.find()).isTrue();
            String id = m.group(1);
            // The approval request carries the justification: the page, the CLI, the webhook and Slack show it.
            JsonNode request = JSON.readTree(gateway.api(APPROVER).get("/kubegate/v1/approvals/" + id).asString());
            assertThat(request.path("requester").path("justification").asText()).isEqualTo(why);
            var approved = gateway.api(APPROVER).contentType("application/json").body("{\"reason\":\"ok\"}").post("/kubegate/v1/approvals/" + id + "/approve");
            assertThat(approved.statusCode()).as(approved.asString()).isEqualTo(200);
            McpSchema.CallToolResult result = held.get(30, TimeUnit.SECONDS);
            assertThat(result.isError()).as(text(result)).isFalse();
            assertThat(text(result)).contains("Namespace mcp-why deleted");
            assertThat(asked).hasSize(1);
        }
        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
            String events = gateway.api(APPROVER).get("/kubegate/v1/audit/events?principal=alice&limit=1000").asString();
            JsonNode tool = null, requested = null, forwarded = null;
            for (JsonNode e : JSON.readTree(events).path("items")) {
                JsonNode mcp = e.path("client").path("mcp");
                if ("tool".equals(e.path("type").asText()) && "resources_delete".equals(mcp.path("tool").asText())
                        && "mcp-why".equals(mcp.path("arguments").path("name").asText())) tool = e;
                if ("call".equals(e.path("type").asText()) && "mcp-why".equals(e.path("request").path("name").asText())
                        && e.path("response").path("code").asInt() == 200) forwarded = e;
            }
            String lifecycle = gateway.api(APPROVER).get("/kubegate/v1/audit/events?limit=1000").asString();
            for (JsonNode e : JSON.readTree(lifecycle).path("items")) {
                if ("approval.requested".equals(e.path("event").asText()) && why.equals(e.path("details").path("justification").asText())) requested = e;
            }
            assertThat(tool).as("tool record").isNotNull();
            assertThat(tool.path("client").path("mcp").path("justification").asText()).isEqualTo(why);
            assertThat(tool.path("client").path("mcp").path("elicitation").asText()).isEqualTo("accept");
            assertThat(forwarded).as("the forwarded delete").isNotNull();
            assertThat(forwarded.path("client").path("mcp").path("justification").asText()).isEqualTo(why);
            assertThat(forwarded.path("client").path("mcp").path("call").asText()).isEqualTo(tool.path("id").asText());
            assertThat(requested).as("approval.requested with the justification").isNotNull();
        });
    }

    @Test
    void aDeclinedOrUnansweredElicitationRequestsNoApprovalAndForwardsNothing() throws Exception {
        ok("resources_create_or_update", Map.of("resource", "apiVersion: v1\nkind: Namespace\nmetadata: {name: mcp-keep}\n"));
        List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
        try (McpSyncClient c = eliciting(asked, () -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null))) {
            McpSchema.CallToolResult declined = deleteNamespace(c, "mcp-keep", "keep-1");
            assertThat(declined.isError()).isTrue();
            assertThat(text(declined)).contains("declined", "no approval was requested", "nothing was sent to the cluster");
            assertThat(asked).hasSize(1);
        }
        try (McpSyncClient c = eliciting(asked, () -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.CANCEL, null))) {
            assertThat(text(deleteNamespace(c, "mcp-keep", "keep-2"))).contains("cancelled", "no approval was requested");
        }
        try (McpSyncClient c = eliciting(asked, () -> {
            try {
                Thread.sleep(14_000); // past kubegate.mcp.elicitation-timeout (10s)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("justification", "too late"));
        })) {
            McpSchema.CallToolResult late = deleteNamespace(c, "mcp-keep", "keep-3");
            assertThat(late.isError()).isTrue();
            assertThat(text(late)).contains("No justification arrived in time", "no approval was requested");
        }
        assertThat(asked).hasSize(3);
        JsonNode pending = JSON.readTree(gateway.api(APPROVER).get("/kubegate/v1/approvals").asString());
        for (JsonNode a : pending.path("items")) {
            assertThat(a.path("request").path("name").asText()).as(a.toString()).isNotEqualTo("mcp-keep");
        }
        assertThat(ok("resources_get", Map.of("apiVersion", "v1", "kind", "Namespace", "name", "mcp-keep"))).doesNotContain("deletionTimestamp");
    }

    static String initializeOrNull(String token) throws Exception {
        HttpResponse<String> r = post(token, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}".getBytes());
        return r.statusCode() == 200 ? r.headers().firstValue("Mcp-Session-Id").orElse(null) : null;
    }

    @Test
    void anotherPrincipalsSessionIdIsUnknown() throws Exception {
        String mine = initialize(ALICE);
        HttpResponse<String> r = post(BOB, mine, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}".getBytes());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(post(ALICE, mine, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}".getBytes()).statusCode()).isEqualTo(200);
    }

    @Test
    void badInputIsAClearToolErrorAndNothingIsForwardedUnjudged() throws Exception {
        assertThat(error("no_such_tool", Map.of())).contains("unknown tool \"no_such_tool\"");
        assertThat(error("resources_get", Map.of("apiVersion", "v1", "kind", "ConfigMap"))).contains("needs the argument \"name\"");
        assertThat(error("resources_get", Map.of("apiVersion", "v1", "kind", "ConfigMap", "name", 7))).contains("\"name\"", "must be a string");
        assertThat(error("pods_get", Map.of("name", "x", "colour", "red"))).contains("no argument \"colour\"");
        assertThat(error("pods_get", Map.of("name", "../../secrets"))).contains("not a valid Kubernetes name");
        assertThat(error("resources_get", Map.of("apiVersion", "v1", "kind", "Gadget", "name", "x"))).contains("no kind Gadget in apiVersion v1");
        assertThat(error("resources_create_or_update", Map.of("resource", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {a: "
                + "x".repeat(70 * 1024) + "}\n"))).contains("larger than kubegate accepts");
        String bomb = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: mcp-bomb, namespace: default}
                x: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                y: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                z: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                data: {k: v}
                """;
        assertThat(error("resources_create_or_update", Map.of("resource", bomb))).contains("anchors or aliases");
        assertThat(error("resources_create_or_update", Map.of("resource", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}")))
                .contains("metadata.name");
        assertThat(error("resources_create_or_update", Map.of("resource", "a: [unclosed"))).contains("not valid YAML or JSON");
        // A lone surrogate: the text was not UTF-8 before it became JSON.
        HttpResponse<String> surrogate = rawToolCall("{\"name\":\"resources_create_or_update\",\"arguments\":{\"resource\":"
                + "\"apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: mcp-bad}\\ndata: {a: \\ud800}\\n\"}}");
        assertThat(JSON.readTree(surrogate.body()).path("result").path("isError").asBoolean()).as(surrogate.body()).isTrue();
        assertThat(surrogate.body()).contains("not valid Unicode");
        // Bytes that are not UTF-8 at all: a JSON-RPC parse error, nothing runs.
        String session = initialize(ALICE);
        byte[] latin1 = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"namespaces_list\",\"arguments\":{\"x\":\"\u00e9\"}}}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        HttpResponse<String> notUtf8 = post(ALICE, session, latin1);
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notUtf8.body()).path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(notUtf8.body()).contains("not valid UTF-8");
        for (String name : new String[]{"mcp-bomb", "mcp-bad", "big"}) {
            assertThat(kubectl.run("-n", "default", "get", "configmap", name).exitCode()).as(name).isNotZero();
        }
    }

    static HttpResponse<String> rawToolCall(String params) throws Exception {
        String session = initialize(ALICE);
        return post(ALICE, session, ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":" + params + "}").getBytes());
    }
}
