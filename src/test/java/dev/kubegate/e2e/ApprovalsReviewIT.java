package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.WebhookReceiver;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What approvers are shown, and where they are sent, when the agent is hostile. The agent forges
 * {@code Host}, {@code :authority} and {@code X-Forwarded-Host}: with no public address configured
 * the refusal, the approval API and the webhook name no host at all (only the id and the CLI
 * command), never the agent's. A ClusterRole whose wildcard rule hides behind 150 harmless ones:
 * the summary shows the wildcard first, the cut diff says how much is cut, the webhook offers
 * "Review full diff" instead of Approve, approving before seeing the full diff is refused, and
 * {@code kubegate approvals show} prints the full diff (after which the approval goes through).
 */
class ApprovalsReviewIT {

    static final String AGENT = "review-agent-" + UUID.randomUUID();
    static final String BOB = "review-bob-" + UUID.randomUUID();
    static final String ATTACKER = "approvals.attacker.example";
    static final Pattern APPROVAL_ID = Pattern.compile("ap-[a-z0-9]{10}");
    static final ObjectMapper JSON = new ObjectMapper();

    static WebhookReceiver webhook;

    // No kubegate.approval.public-url and no kubegate.tls.sans: the case where links used to come from the request.
    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-approvals-review")
            .agent(AGENT, "alice", "agents")
            .admin(BOB, "bob", "kubegate-approvers")
            .setting("kubegate.approval.wait", "1s")
            .beforeStart(() -> webhook = WebhookReceiver.start())
            .setting("kubegate.approval.webhook-url", () -> webhook.url());

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static HttpClient http;
    static List<JsonNode> hooks;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        hooks = webhook.received();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(60));
        http = gateway.httpClient();
    }

    @AfterAll
    static void stop() {
        if (webhook != null) webhook.close();
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + BOB);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** curl, which sends whatever Host / :authority it is told to; returns the response body. */
    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sk", "--max-time", "60", "-H", "Authorization: Bearer " + AGENT));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static String approvalId(String message) {
        Matcher m = APPROVAL_ID.matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return m.group();
    }

    @Test
    void forgedHostAuthorityAndForwardedHeadersNeverReachTheApprover() throws Exception {
        for (String ns : List.of("forged-h1", "forged-h2", "forged-xfh")) {
            agent.run("create", "namespace", ns).assertSuccess();
        }
        int port = gateway.port();
        String h1 = curl("--http1.1", "-X", "DELETE", "-H", "Host: " + ATTACKER, gateway.url() + "/api/v1/namespaces/forged-h1");
        String h2 = curl("--http2", "-X", "DELETE", "--resolve", ATTACKER + ":" + port + ":127.0.0.1",
                "https://" + ATTACKER + ":" + port + "/api/v1/namespaces/forged-h2");
        String xfh = curl("--http1.1", "-X", "DELETE", "-H", "X-Forwarded-Host: " + ATTACKER, "-H", "X-Forwarded-Proto: https",
                "-H", "Forwarded: host=" + ATTACKER + ";proto=https", gateway.url() + "/api/v1/namespaces/forged-xfh");
        List<String> ids = new ArrayList<>();
        for (String message : List.of(h1, h2, xfh)) {
            JsonNode status = JSON.readTree(message);
            assertThat(status.path("code").asInt()).as(message).isEqualTo(403);
            String id = approvalId(status.path("message").asText());
            ids.add(id);
            assertThat(message).doesNotContain("attacker").doesNotContain("https://")
                    .contains("run 'kubegate approvals approve " + id + "'");
        }
        HttpResponse<String> list = api("GET", "/kubegate/v1/approvals", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(ids.get(0)).contains(ids.get(1)).contains(ids.get(2)).doesNotContain("attacker");
        for (String id : ids) {
            JsonNode one = JSON.readTree(api("GET", "/kubegate/v1/approvals/" + id, null).body());
            assertThat(one.hasNonNull("url")).as("no configured address, no link").isFalse();
        }
        await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(hooks).anySatisfy(h -> assertThat(h.path("text").asText()).contains(id));
            }
        });
        for (JsonNode h : hooks) {
            assertThat(h.toString()).doesNotContain("attacker");
            if (h.path("text").asText().startsWith("Approval needed")) {
                assertThat(h.path("blocks").toString()).contains("kubegate approvals approve ").doesNotContain("\"button\"");
            }
        }
    }

    /** A ClusterRole manifest: {@code harmless} rules granting {@code verbs} on widgets0.., then (optionally) {@code *} on {@code *}. */
    static String clusterRole(String name, int harmless, boolean wildcard, String verbs) {
        StringBuilder y = new StringBuilder("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: " + name + "\nrules:\n");
        for (int i = 0; i < harmless; i++) {
            y.append("- apiGroups: [\"example.com\"]\n  resources: [\"widgets").append(i).append("\"]\n  verbs: [").append(verbs).append("]\n");
        }
        if (wildcard) {
            y.append("- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n");
        }
        return y.toString();
    }

    static String clusterRole(String name, int harmless, boolean wildcard) {
        return clusterRole(name, harmless, wildcard, "\"get\"");
    }

    @Test
    void aWildcardBehindManyHarmlessRulesIsShownFirstAndACutDiffNeedsTheFullView() throws Exception {
        Path role = dir.resolve("role.yaml");
        Files.writeString(role, clusterRole("sneaky", 150, true));
        Kubectl.Result first = agent.run("create", "-f", role.toString());
        assertThat(first.exitCode()).isNotZero();
        String id = approvalId(first.stderr());
        assertThat(first.stderr()).contains("kubegate approvals approve " + id);

        JsonNode r = JSON.readTree(api("GET", "/kubegate/v1/approvals/" + id, null).body());
        JsonNode top = r.path("summary").get(0);
        assertThat(top.path("text").asText()).isEqualTo("adds rule: * on * (apiGroups: *)");
        assertThat(top.path("flags").toString()).contains("\"*\"").contains("secrets");
        assertThat(r.path("summary").toString()).contains("more items not shown here");
        // The cut diff says it is cut: the rules array (one change) is too long to show whole.
        assertThat(r.path("changes").toString()).contains("more characters)");
        assertThat(r.path("changesNote").asText()).contains("full diff");

        await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> assertThat(hooks).anySatisfy(h -> {
            assertThat(h.path("text").asText()).contains(id);
            assertThat(h.path("blocks").toString()).contains("adds rule: * on *").contains("review the full diff before approving");
        }));

        HttpResponse<String> tooSoon = api("POST", "/kubegate/v1/approvals/" + id + "/approve", "{}");
        assertThat(tooSoon.statusCode()).as(tooSoon.body()).isEqualTo(409);
        assertThat(tooSoon.body()).contains("full diff").contains("kubegate approvals show " + id);

        String shown = gateway.cli("approvals", "show", id, "--token", BOB);
        assertThat(shown).contains("Summary (dangerous first):").contains("! adds rule: * on * (apiGroups: *)")
                .contains("{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}")
                .contains("widgets149").doesNotContain("more characters)");
        assertThat(JSON.readTree(api("GET", "/kubegate/v1/approvals/" + id, null).body()).path("fullDiffViewedBy").toString())
                .contains("bob");
        String approved = gateway.cli("approvals", "approve", id, "--token", BOB);
        assertThat(approved).contains(id + " approved");
        agent.run("create", "-f", role.toString()).assertSuccess();
    }

    /** A ClusterRole with 130 annotations, all set to {@code value}, and 10 harmless rules (and the wildcard). */
    static Path annotatedRole(String value, boolean wildcard) throws Exception {
        StringBuilder annotations = new StringBuilder("  annotations:\n");
        for (int i = 0; i < 130; i++) annotations.append("    a").append(String.format("%03d", i)).append(": \"").append(value).append("\"\n");
        String y = clusterRole("many", 10, wildcard).replace("  name: many\n", "  name: many\n" + annotations);
        Path f = Files.createTempFile(dir, "many", ".yaml");
        Files.writeString(f, y);
        return f;
    }

    @Test
    void aLongListOfChangesEndsWithHowManyAreNotShownAndTheApiHasThemAll() throws Exception {
        Path base = annotatedRole("x", false);
        String id = approvalId(agent.run("create", "-f", base.toString()).stderr());
        assertThat(api("GET", "/kubegate/v1/approvals/" + id + "/diff", null).statusCode()).isEqualTo(200);
        assertThat(api("POST", "/kubegate/v1/approvals/" + id + "/approve", "{}").statusCode()).isEqualTo(200);
        agent.run("create", "-f", base.toString()).assertSuccess();
        // 130 annotation edits come first in key order, then the appended wildcard rule.
        Kubectl.Result held = agent.run("replace", "-f", annotatedRole("y", true).toString());
        String update = approvalId(held.stderr());
        JsonNode r = JSON.readTree(api("GET", "/kubegate/v1/approvals/" + update, null).body());
        assertThat(r.path("summary").get(0).path("text").asText()).isEqualTo("adds rule: * on * (apiGroups: *)");
        JsonNode changes = r.path("changes");
        assertThat(changes.size()).as(changes.toString()).isEqualTo(101);
        assertThat(changes.toString()).doesNotContain("/rules/10");
        assertThat(changes.get(100).path("op").asText()).isEqualTo("more");
        assertThat(changes.get(100).path("value").asText()).isEqualTo("… 31 more changes not shown");
        assertThat(r.path("changesTotal").asInt()).isEqualTo(131);
        JsonNode full = JSON.readTree(api("GET", "/kubegate/v1/approvals/" + update + "/diff", null).body());
        assertThat(full.path("total").asInt()).isEqualTo(131);
        assertThat(full.path("changes").get(130).path("path").asText()).isEqualTo("/rules/10");
        assertThat(full.path("changes").get(130).path("value").asText()).isEqualTo("{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}");
    }

}
