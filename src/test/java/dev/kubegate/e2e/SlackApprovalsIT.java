package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.approval.slack.SlackSignature;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RealKubeApiServer;
import dev.kubegate.testing.SlackClicks;
import dev.kubegate.testing.WebhookReceiver;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Approving from Slack, with real kubectl through the gateway against the real kube-apiserver: the
 * held {@code kubectl delete namespace} is released only by a correctly signed, fresh, first-seen
 * click of a mapped approver who is not the requester — and with a two-person rule, only by the
 * second distinct one. Everything else answers why and changes nothing. The clicks are built exactly
 * as Slack sends them (form-encoded {@code payload}, {@code v0} HMAC signature).
 */
class SlackApprovalsIT {

    static final String AGENT = "slack-agent-" + UUID.randomUUID();
    static final String BOB = "bob-" + UUID.randomUUID();
    static final String SECRET = "slack-signing-" + UUID.randomUUID();
    static final ObjectMapper JSON = new ObjectMapper();
    static final SlackSignature SLACK = new SlackSignature(SECRET.getBytes(StandardCharsets.UTF_8));
    static final SlackClicks CLICKS = new SlackClicks(SECRET);

    static WebhookReceiver slack;

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.realApiServer("kubegate-slack")
            .agent(AGENT, "alice", "agents")
            .admin(BOB, "bob", "kubegate-approvers")
            .admin(UUID.randomUUID().toString(), "carol", "kubegate-approvers,sre")
            .admin(UUID.randomUUID().toString(), "alice", "alice-admin-uid", "kubegate-approvers")
            .admin(UUID.randomUUID().toString(), "dave", "developers")
            .file("kubegate.policy.data", "data.json", "{}")
            .setting("kubegate.policy.reload-interval", "300ms")
            .setting("kubegate.approval.wait", "60s")
            .file("kubegate.approval.slack.signing-secret-file", "slack-secret", SECRET + "\n")
            .file("kubegate.approval.slack.users-file", "slack-users.csv",
                    "# Slack user id, approver\nUBOB1,bob\nUCAROL1,carol\nUALICE1,alice\nUDAVE1,dave\n")
            .beforeStart(() -> slack = WebhookReceiver.start())
            .setting("kubegate.approval.webhook-url", () -> slack.url())
            .setting("kubegate.approval.slack.response-url-prefixes", () -> slack.url() + "/");

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        Path dir = kubegate.dir();
        apiserver = kubegate.apiserver();
        gateway = kubegate.gateway();
        data = dir.resolve("data.json");
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (slack != null) slack.close();
    }

    static String form(String user, String action, String id, String responseTag) throws Exception {
        return SlackClicks.form(user, action, id, slack.url() + "/actions/" + responseTag);
    }

    static HttpResponse<String> post(String body, String timestamp, String signature) throws Exception {
        return SlackClicks.post(gateway, body, timestamp, signature);
    }

    static HttpResponse<String> signed(String body, Instant at) throws Exception {
        return CLICKS.signed(gateway, body, at);
    }

    static HttpResponse<String> click(String user, String action, String id) throws Exception {
        return signed(form(user, action, id, UUID.randomUUID().toString()), Instant.now());
    }

    static JsonNode pendingFor(String ns) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = gateway.api(BOB).get("/kubegate/v1/approvals?status=pending");
            for (JsonNode item : JSON.readTree(r.asString()).path("items")) {
                if (ns.equals(item.path("request").path("name").asText())) {
                    found[0] = item;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static JsonNode request(String id) throws Exception {
        return JSON.readTree(gateway.api(BOB).get("/kubegate/v1/approvals/" + id).asString());
    }

    static void assertRefused(HttpResponse<String> r, int code, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        JsonNode s = JSON.readTree(r.body());
        assertThat(s.path("kind").asText()).isEqualTo("Status");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        assertThat(s.path("message").asText()).contains(message);
    }

    static void assertToldNothingChanged(HttpResponse<String> r, String why) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("response_type").asText()).isEqualTo("ephemeral");
        assertThat(n.path("text").asText()).startsWith("Nothing was decided").contains(why);
    }

    @Test
    void onlyAValidSignedClickOfAnotherApproverReleasesTheHeldCall() throws Exception {
        agent.run("create", "namespace", "slack-held").assertSuccess();
        try (Kubectl.Running delete = agent.start("delete", "namespace", "slack-held", "--wait=false")) {
            String id = pendingFor("slack-held").path("id").asText();
            // The webhook message carries interactive buttons naming the request.
            await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> assertThat(slack.received()).anySatisfy(h -> {
                assertThat(h.path("text").asText()).contains("Approval needed").contains(id);
                assertThat(h.path("blocks").toString()).contains("\"action_id\":\"kubegate_approve\"")
                        .contains("\"action_id\":\"kubegate_deny\"").contains("\"value\":\"" + id + "\"");
            }));

            String valid = form("UBOB1", "kubegate_approve", id, "valid");
            String now = Long.toString(Instant.now().getEpochSecond());
            // Unsigned, signed with another secret, signature of another body, stale, from the future.
            assertRefused(post(valid, null, null), 401, "not signed");
            assertRefused(post(valid, now, new SlackSignature("guess".getBytes(StandardCharsets.UTF_8))
                    .sign(now, valid.getBytes(StandardCharsets.UTF_8))), 401, "does not verify");
            assertRefused(post(valid, now, SLACK.sign(now, form("UBOB1", "kubegate_approve", id, "other").getBytes(StandardCharsets.UTF_8))),
                    401, "does not verify");
            assertRefused(signed(valid, Instant.now().minusSeconds(6 * 60)), 401, "stale");
            assertRefused(signed(valid, Instant.now().plusSeconds(6 * 60)), 401, "stale");
            // Signed, but by nobody kubegate knows, by the requester herself, by someone outside the approver groups.
            assertToldNothingChanged(click("UNOBODY1", "kubegate_approve", id), "not mapped to a kubegate approver");
            assertToldNothingChanged(click("UALICE1", "kubegate_approve", id), "nobody approves their own request");
            assertToldNothingChanged(click("UDAVE1", "kubegate_approve", id), "kubegate-approvers");
            Thread.sleep(500);
            assertThat(delete.isAlive()).as("no refused click released the call").isTrue();
            assertThat(request(id).path("status").asText()).isEqualTo("pending");
            assertThat(request(id).path("decisions").size()).isZero();
            // The clicker is told why, in Slack.
            assertThat(slack.received()).anySatisfy(h -> assertThat(h.path("text").asText()).contains("nobody approves their own request"));

            // Bob's signed click approves; the call goes through.
            Instant signedAt = Instant.now();
            HttpResponse<String> ok = signed(valid, signedAt);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("text").asText()).contains(id + " is approved").contains("bob");
            assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
            JsonNode decided = request(id);
            assertThat(decided.path("decisions").get(0).path("approver").asText()).isEqualTo("bob");
            assertThat(decided.path("decisions").get(0).path("reason").asText()).isEqualTo("approved in Slack");

            // The exact same signed request again is a replay, even within the five minutes.
            assertRefused(post(valid, Long.toString(signedAt.getEpochSecond()),
                    SLACK.sign(Long.toString(signedAt.getEpochSecond()), valid.getBytes(StandardCharsets.UTF_8))), 401, "replay");
            // The clicked message was replaced with the decision, without buttons.
            await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> assertThat(slack.received()).anySatisfy(h -> {
                assertThat(h.path("replace_original").asBoolean()).isTrue();
                assertThat(h.path("text").asText()).startsWith("Approved").contains(id);
                assertThat(h.path("blocks").toString()).doesNotContain("kubegate_approve");
            }));
        }
        assertThat(agent.run("get", "namespace", "slack-held", "-o", "jsonpath={.status.phase}").stdout())
                .as("deleted, or terminating").isIn("", "Terminating");
    }

    @Test
    void aTwoPersonRuleNeedsTwoDistinctSlackApprovers() throws Exception {
        Files.writeString(data, "{\"kubegate\": {\"approval\": {\"approverGroups\": [\"kubegate-approvers\"], \"ttl\": \"0\", \"approvers\": 2}}}");
        try {
            agent.run("create", "namespace", "slack-two").assertSuccess();
            Thread.sleep(1500); // several reload intervals: the new data is in effect
            try (Kubectl.Running delete = agent.start("delete", "namespace", "slack-two", "--wait=false")) {
                JsonNode r = pendingFor("slack-two");
                assertThat(r.path("requiredApprovers").asInt()).isEqualTo(2);
                String id = r.path("id").asText();
                HttpResponse<String> first = click("UBOB1", "kubegate_approve", id);
                assertThat(JSON.readTree(first.body()).path("text").asText()).contains("pending").contains("1 of 2");
                // Bob again (a new click, so no replay): still one person.
                assertToldNothingChanged(click("UBOB1", "kubegate_approve", id), "2 distinct approvers");
                Thread.sleep(500);
                assertThat(delete.isAlive()).isTrue();
                // The message now says who approved so far and keeps its buttons.
                assertThat(slack.received()).anySatisfy(h -> {
                    assertThat(h.path("replace_original").asBoolean()).isTrue();
                    assertThat(h.path("blocks").toString()).contains("Approved so far by bob (1 of 2)").contains("kubegate_approve");
                });
                HttpResponse<String> second = click("UCAROL1", "kubegate_approve", id);
                assertThat(JSON.readTree(second.body()).path("text").asText()).contains("approved").contains("2 of 2");
                assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
            }
        } finally {
            Files.writeString(data, "{}");
            Thread.sleep(1000);
        }
    }

    @Test
    void aSlackDenialRefusesTheHeldCallAndLinkButtonsChangeNothing() throws Exception {
        agent.run("create", "namespace", "slack-deny").assertSuccess();
        try (Kubectl.Running delete = agent.start("delete", "namespace", "slack-deny", "--wait=false")) {
            String id = pendingFor("slack-deny").path("id").asText();
            // Slack also reports clicks on link buttons ("Open"): acknowledged, nothing decided.
            HttpResponse<String> open = click("UBOB1", "kubegate_open", id);
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(request(id).path("status").asText()).isEqualTo("pending");
            HttpResponse<String> deny = click("UCAROL1", "kubegate_deny", id);
            assertThat(deny.statusCode()).as(deny.body()).isEqualTo(200);
            assertThat(delete.waitFor(Duration.ofSeconds(60))).isNotZero();
            assertThat(delete.stderr()).contains("denied by carol").contains("denied in Slack");
        }
        assertThat(agent.run("get", "namespace", "slack-deny", "-o", "name").exitCode()).isZero();
    }
}
