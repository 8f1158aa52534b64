package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.WebhookReceiver;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Approvals with real kubectl: the built-in pack makes {@code kubectl delete namespace} need
 * approval. The call is held; an approver's decision through the API releases it (approve) or
 * refuses it with the reason (deny); when nobody decides in time the agent gets the approval id and
 * its retry succeeds once approved; a different call is not covered; nobody approves their own
 * request; a policy can require two distinct approvers; a webhook hears about it all.
 */
class ApprovalsIT {

    static final String AGENT = "approvals-agent-" + UUID.randomUUID();
    static final String BOB = "bob-" + UUID.randomUUID();
    static final String CAROL = "carol-" + UUID.randomUUID();
    static final String ALICE_ADMIN = "alice-admin-" + UUID.randomUUID();
    static final String DAVE = "dave-" + UUID.randomUUID();
    static final Duration WAIT = Duration.ofSeconds(8);
    static final Pattern APPROVAL_ID = Pattern.compile("ap-[a-z0-9]{10}");
    static final ObjectMapper JSON = new ObjectMapper();

    static WebhookReceiver webhook;

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-approvals")
            .agent(AGENT, "alice", "agents")
            .admin(BOB, "bob", "kubegate-approvers")
            .admin(CAROL, "carol", "kubegate-approvers,sre")
            .admin(ALICE_ADMIN, "alice", "alice-admin-uid", "kubegate-approvers")
            .admin(DAVE, "dave", "developers")
            .file("kubegate.policy.data", "data.json", "{}")
            .setting("kubegate.policy.reload-interval", "300ms")
            .setting("kubegate.approval.wait", WAIT.toSeconds() + "s")
            // Approval links name the address the certificate is configured for, never the caller's Host.
            .setting("kubegate.tls.sans", "kubegate.approvals.test")
            .beforeStart(() -> webhook = WebhookReceiver.start())
            .setting("kubegate.approval.webhook-url", () -> webhook.url());

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static HttpClient http;
    static Path data;
    static List<JsonNode> hooks;

    @BeforeAll
    static void start() throws Exception {
        Path dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        data = dir.resolve("data.json");
        hooks = webhook.received();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(60));
        http = gateway.httpClient();
    }

    @AfterAll
    static void stop() {
        if (webhook != null) webhook.close();
    }

    /** The admin API through REST Assured, as the approver (or agent) holding {@code token}. */
    static Response api(String method, String path, String token, String body) {
        RequestSpecification r = gateway.api(token);
        if (body != null) r = r.contentType("application/json").body(body);
        return r.request(method, path);
    }

    static JsonNode decide(String id, String action, String token, String reason, int expectedCode) throws Exception {
        Response r = api("POST", "/kubegate/v1/approvals/" + id + "/" + action, token,
                reason == null ? null : JSON.writeValueAsString(Map.of("reason", reason)));
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(expectedCode);
        JsonNode n = JSON.readTree(r.asString());
        if (expectedCode / 100 != 2) {
            assertThat(n.path("kind").asText()).isEqualTo("Status");
            assertThat(n.path("code").asInt()).isEqualTo(expectedCode);
        }
        return n;
    }

    /** The pending request for deleting namespace {@code ns}, once it shows up. */
    static JsonNode pendingFor(String ns) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = api("GET", "/kubegate/v1/approvals?status=pending", BOB, null);
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            for (JsonNode item : JSON.readTree(r.asString()).path("items")) {
                if (ns.equals(item.path("request").path("name").asText()) && "delete".equals(item.path("request").path("verb").asText())) {
                    found[0] = item;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static boolean namespaceExists(String ns) {
        return agent.run("get", "namespace", ns, "-o", "name").exitCode() == 0;
    }

    @Test
    void aHeldDeleteProceedsOnceApprovedAndTheWebhookHearsOfIt() throws Exception {
        agent.run("create", "namespace", "held-1").assertSuccess();
        long t0 = System.nanoTime();
        try (Kubectl.Running delete = agent.start("delete", "namespace", "held-1")) {
            JsonNode r = pendingFor("held-1");
            assertThat(delete.isAlive()).as("kubectl waits for the decision").isTrue();
            assertThat(r.path("requester").path("principal").asText()).isEqualTo("alice");
            assertThat(r.path("reasons").toString()).contains("deleting a namespace");
            assertThat(r.path("approverGroups").toString()).contains("kubegate-approvers");
            assertThat(r.path("call").path("method").asText()).isEqualTo("DELETE");
            assertThat(r.path("changes").toString()).contains("remove").contains("Namespace held-1");
            JsonNode approved = decide(r.path("id").asText(), "approve", BOB, "cleanup ticket 42", 200);
            assertThat(approved.path("status").asText()).isEqualTo("approved");
            assertThat(delete.waitFor(Duration.ofSeconds(30))).as(delete.stderr()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT.plusSeconds(20));
        }
        assertThat(namespaceExists("held-1")).isFalse();
        String id = pendingOrAny("held-1");
        JsonNode after = JSON.readTree(api("GET", "/kubegate/v1/approvals/" + id, BOB, null).asString());
        assertThat(after.path("uses").asInt()).isEqualTo(1);
        await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(hooks).anySatisfy(h -> {
                assertThat(h.path("text").asText()).contains("Approval needed").contains(id);
                assertThat(h.path("blocks").toString()).contains("https://kubegate.approvals.test:" + gateway.port()
                        + "/kubegate/ui/#/approvals/" + id + "/approve").contains("Deny");
            });
            assertThat(hooks).anySatisfy(h -> assertThat(h.path("text").asText()).startsWith("Approved").contains(id));
        });
    }

    /** Any request (whatever its status) for deleting {@code ns}. */
    static String pendingOrAny(String ns) throws Exception {
        for (JsonNode item : JSON.readTree(api("GET", "/kubegate/v1/approvals", BOB, null).asString()).path("items")) {
            if (ns.equals(item.path("request").path("name").asText())) {
                return item.path("id").asText();
            }
        }
        throw new AssertionError("no approval request for " + ns);
    }

    @Test
    void aDenialRefusesTheHeldCallWithTheApproversReason() throws Exception {
        agent.run("create", "namespace", "held-2").assertSuccess();
        try (Kubectl.Running delete = agent.start("delete", "namespace", "held-2")) {
            JsonNode r = pendingFor("held-2");
            decide(r.path("id").asText(), "deny", BOB, "", 400); // a denial needs a reason
            decide(r.path("id").asText(), "deny", BOB, "not during the release freeze", 200);
            assertThat(delete.waitFor(Duration.ofSeconds(30))).isNotZero();
            assertThat(delete.stderr()).contains("denied by bob").contains("not during the release freeze");
        }
        assertThat(namespaceExists("held-2")).isTrue();
        // The same call again gets the same answer at once, without asking approvers again.
        Kubectl.Result again = agent.run("delete", "namespace", "held-2");
        assertThat(again.stderr()).contains("not during the release freeze");
    }

    @Test
    void afterTheWaitTheAgentGetsTheIdAndItsRetrySucceedsOnceApproved() throws Exception {
        agent.run("create", "namespace", "later").assertSuccess();
        agent.run("create", "namespace", "other").assertSuccess();
        Kubectl.Result first = agent.run("delete", "namespace", "later");
        assertThat(first.exitCode()).isNotZero();
        Matcher m = APPROVAL_ID.matcher(first.stderr());
        assertThat(m.find()).as(first.stderr()).isTrue();
        String id = m.group();
        assertThat(first.stderr()).contains("Forbidden").contains("/kubegate/ui/#/approvals/" + id)
                .contains("retry exactly the same command");

        // Nobody approves their own request; approvers must be in the policy's groups.
        assertThat(decide(id, "approve", ALICE_ADMIN, null, 403).path("message").asText()).contains("nobody approves their own request");
        assertThat(decide(id, "approve", DAVE, null, 403).path("message").asText()).contains("kubegate-approvers");
        assertThat(api("POST", "/kubegate/v1/approvals/" + id + "/approve", AGENT, null).statusCode())
                .as("an agent token does not open the approvers' API").isEqualTo(401);

        // The identical call again joins the same request (deduplicated); its client gives up mid-wait.
        try (Kubectl.Running again = agent.start("delete", "namespace", "later")) {
            Thread.sleep(1500);
            assertThat(again.isAlive()).isTrue();
        }
        Response list = api("GET", "/kubegate/v1/approvals?status=pending", BOB, null);
        assertThat(JSON.readTree(list.asString()).path("items").findValuesAsText("id")).contains(id);
        long forLater = 0;
        for (JsonNode item : JSON.readTree(list.asString()).path("items")) {
            if ("later".equals(item.path("request").path("name").asText())) forLater++;
        }
        assertThat(forLater).isEqualTo(1);
        // The CLI, as approvers use it (the gateway's own CA and port by default).
        String listed = gateway.cli("approvals", "list", "--token", BOB);
        assertThat(listed).contains("ID").contains(id).contains("pending").contains("delete namespaces \"later\"");
        Path carolToken = Files.createTempFile("carol", ".token");
        Files.writeString(carolToken, CAROL + "\n");
        assertThat(gateway.cli("approvals", "approve", id, "--token-file", carolToken.toString(), "--server", gateway.url(),
                "--reason", "planned cleanup")).contains(id + " approved");

        // A different call is not covered: it asks for its own approval (the raw answer names it in details).
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces/other"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + AGENT).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(403);
        JsonNode status = JSON.readTree(other.body());
        assertThat(status.path("details").path("name").asText()).matches(APPROVAL_ID).isNotEqualTo(id);
        assertThat(status.path("message").asText()).contains(status.path("details").path("name").asText());
        assertThat(namespaceExists("other")).isTrue();

        agent.run("delete", "namespace", "later").assertSuccess();
        assertThat(namespaceExists("later")).isFalse();
    }

    @Test
    void aPolicyCanRequireTwoDistinctApprovers() throws Exception {
        Files.writeString(data, "{\"kubegate\": {\"approval\": {\"approverGroups\": [\"kubegate-approvers\"], \"ttl\": \"0\", \"approvers\": 2}}}");
        try {
            agent.run("create", "namespace", "two-keys").assertSuccess();
            Thread.sleep(1500); // several reload intervals: the new data is in effect
            try (Kubectl.Running delete = agent.start("delete", "namespace", "two-keys")) {
                JsonNode r = pendingFor("two-keys");
                assertThat(r.path("requiredApprovers").asInt()).isEqualTo(2);
                String id = r.path("id").asText();
                assertThat(decide(id, "approve", BOB, null, 200).path("status").asText()).isEqualTo("pending");
                assertThat(decide(id, "approve", BOB, null, 409).path("message").asText()).contains("2 distinct approvers");
                assertThat(delete.isAlive()).isTrue();
                assertThat(decide(id, "approve", CAROL, null, 200).path("status").asText()).isEqualTo("approved");
                assertThat(delete.waitFor(Duration.ofSeconds(30))).as(delete.stderr()).isZero();
                // ttl "0": the grant covered one call and is used up.
                assertThat(JSON.readTree(api("GET", "/kubegate/v1/approvals/" + id, BOB, null).asString()).path("status").asText()).isEqualTo("used");
            }
            assertThat(namespaceExists("two-keys")).isFalse();
        } finally {
            Files.writeString(data, "{}");
            Thread.sleep(1000);
        }
    }

    /** The pending request for {@code verb} of {@code resource} {@code name}, once it shows up. */
    static JsonNode pendingFor(String verb, String resource, String name) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode item : JSON.readTree(api("GET", "/kubegate/v1/approvals?status=pending", BOB, null).asString()).path("items")) {
                JsonNode req = item.path("request");
                if (verb.equals(req.path("verb").asText()) && resource.equals(req.path("resource").asText()) && name.equals(req.path("name").asText())) {
                    found[0] = item;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Approvers see what a write would do: the API server's dry-run answer against the object as it is. */
    @Test
    void approversSeeWhatAWriteWouldChange() throws Exception {
        cluster.putObject("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kube-system\"}}");
        try (Kubectl.Running create = agent.start("-n", "kube-system", "create", "configmap", "tuning", "--from-literal=threads=4")) {
            JsonNode r = pendingFor("create", "configmaps", "");
            assertThat(r.path("changes").toString()).contains("/data").contains("threads").contains("\"op\":\"add\"");
            decide(r.path("id").asText(), "approve", BOB, null, 200);
            assertThat(create.waitFor(Duration.ofSeconds(30))).as(create.stderr()).isZero();
        }
        try (Kubectl.Running patch = agent.start("-n", "kube-system", "patch", "configmap", "tuning", "--type=merge",
                "-p", "{\"data\":{\"threads\":\"64\"}}")) {
            JsonNode r = pendingFor("patch", "configmaps", "tuning");
            JsonNode change = null;
            for (JsonNode c : r.path("changes")) {
                if (c.path("path").asText().equals("/data/threads")) change = c;
            }
            assertThat(change).as(r.path("changes").toString()).isNotNull();
            assertThat(change.path("op").asText()).isEqualTo("replace");
            assertThat(change.path("old").asText()).isEqualTo("\"4\"");
            assertThat(change.path("value").asText()).isEqualTo("\"64\"");
            decide(r.path("id").asText(), "deny", BOB, "64 threads starve the node", 200);
            assertThat(patch.waitFor(Duration.ofSeconds(30))).isNotZero();
            assertThat(patch.stderr()).contains("64 threads starve the node");
        }
        assertThat(agent.run("-n", "kube-system", "get", "configmap", "tuning", "-o", "jsonpath={.data.threads}").stdout()).isEqualTo("4");
    }

    /**
     * How fast a decision releases a held call: from the approve request being sent to the held
     * DELETE's response (same replica, in-memory store). Printed for the report.
     */
    @Test
    void anApprovalReleasesTheHeldCallWithinMilliseconds() throws Exception {
        List<Long> millis = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String ns = "fast-" + i;
            agent.run("create", "namespace", ns).assertSuccess();
            var held = http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces/" + ns))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + AGENT).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            String id = pendingFor(ns).path("id").asText();
            long t0 = System.nanoTime();
            decide(id, "approve", BOB, null, 200);
            HttpResponse<String> r = held.get(30, TimeUnit.SECONDS);
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        java.util.Collections.sort(millis);
        System.out.println("approval release latency (approve sent -> held call answered), ms: " + millis + " median " + millis.get(2));
        assertThat(millis.get(2)).isLessThan(1000);
    }

    @Test
    void theApiAnswersErrorsAsStatus() throws Exception {
        Response r = api("GET", "/kubegate/v1/approvals?status=bogus", BOB, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.asString()).contains("\"kind\":\"Status\"");
        assertThat(api("GET", "/kubegate/v1/approvals/ap-zzzzzzzzzz", BOB, null).statusCode()).isEqualTo(404);
        Response bad = api("POST", "/kubegate/v1/approvals/ap-zzzzzzzzzz/deny", BOB, "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.asString()).contains("\"kind\":\"Status\"");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/ui/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    }
}
