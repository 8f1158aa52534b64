package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions as agents use them: kubectl configured with {@code kubegate login} as exec credential
 * plugin (static tokens as the agent credential), against the packaged gateway and the fake API
 * server. Revocation, expiry and suspension are seen through kubectl and raw HTTP.
 */
class SessionsIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALICE = "alice-" + UUID.randomUUID();
    static final String BOB = "bob-" + UUID.randomUUID();
    static final String CAROL = "carol-" + UUID.randomUUID();
    static final String DAVE = "dave-" + UUID.randomUUID();
    static final String ERIN = "erin-" + UUID.randomUUID();
    static final String ADMIN = "admin-" + UUID.randomUUID();

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-sessions")
            .agent(ALICE, "alice", "agents")
            .agent(BOB, "bob", "agents")
            .agent(CAROL, "carol", "agents")
            .agent(DAVE, "dave", "agents")
            .agent(ERIN, "erin", "agents")
            .admin(ADMIN, "root", "admins");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
    }

    /** kubectl whose user runs `kubegate login` (written by `kubegate kubeconfig --exec`), with its own $HOME for the cache. */
    static Kubectl loginKubectl(String name, String... loginOptions) throws Exception {
        Path file = dir.resolve(name + ".kubeconfig");
        List<String> args = new ArrayList<>(List.of("kubeconfig", "--exec", "--output-file", file.toString()));
        args.addAll(List.of(loginOptions));
        gateway.cli(args.toArray(String[]::new));
        Path home = Files.createDirectories(dir.resolve("home-" + name));
        return new Kubectl(file).withEnv("HOME", home.toString()).withTimeout(Duration.ofSeconds(60));
    }

    /** A call to the gateway through REST Assured (admin API, session endpoints, raw Kubernetes calls). */
    static Response call(String method, String path, String bearer, String body) {
        RequestSpecification r = gateway.api(bearer);
        if (body != null) r = r.contentType("application/json").body(body);
        return r.request(method, path);
    }

    static JsonNode sessions() throws Exception {
        Response r = call("GET", "/kubegate/v1/sessions", ADMIN, null);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return JSON.readTree(r.asString()).path("items");
    }

    static List<JsonNode> sessionsOf(String principal, boolean implicit) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : sessions()) {
            if (s.path("principal").path("name").asText().equals(principal) && s.path("implicit").asBoolean() == implicit) out.add(s);
        }
        return out;
    }

    static Path cachedToken(String name) throws Exception {
        try (var files = Files.list(dir.resolve("home-" + name).resolve(".kube/cache/kubegate"))) {
            return files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
    }

    static void assertStatus(Response r, int code, String message) throws Exception {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(code);
        JsonNode s = JSON.readTree(r.asString());
        assertThat(s.path("kind").asText()).isEqualTo("Status");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        assertThat(s.path("message").asText()).contains(message);
    }

    @Test
    void theLoginPluginGivesKubectlASessionReusedAcrossInvocations() throws Exception {
        Kubectl alice = loginKubectl("alice", "--token", ALICE, "--ttl", "10m", "--label", "task=IT-1");
        alice.run("create", "namespace", "alice-ns").assertSuccess();
        assertThat(alice.run("get", "namespace", "alice-ns", "-o", "name").assertSuccess().stdout()).contains("namespace/alice-ns");
        List<JsonNode> mine = sessionsOf("alice", false);
        assertThat(mine).hasSize(1); // the cache served the second kubectl
        JsonNode s = mine.get(0);
        assertThat(s.path("labels").path("task").asText()).isEqualTo("IT-1");
        assertThat(Files.getPosixFilePermissions(cachedToken("alice"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        // Counters reach the store within about a second.
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(sessionsOf("alice", false).get(0).path("counters").path("requests").asLong()).isGreaterThanOrEqualTo(2));
        assertThat(sessionsOf("alice", false).get(0).path("counters").path("mutations").asLong()).isEqualTo(1);
        // The upstream saw the agent impersonated with its session.
        assertThat(cluster.requests()).anyMatch(r -> r.path().endsWith("/namespaces") && "POST".equals(r.method()));
    }

    @Test
    void aRevokedSessionGets401AndKubectlLogsInAgain() throws Exception {
        Kubectl bob = loginKubectl("bob", "--token", BOB);
        bob.run("get", "namespaces").assertSuccess();
        JsonNode session = sessionsOf("bob", false).get(0);
        String token = JSON.readTree(Files.readString(cachedToken("bob"))).path("token").asText();
        assertThat(call("GET", "/api/v1/namespaces", token, null).statusCode()).isEqualTo(200);

        String out = gateway.cli("sessions", "revoke", session.path("id").asText(), "--token", ADMIN);
        assertThat(out).contains("revoked");
        assertStatus(call("GET", "/api/v1/namespaces", token, null), 401, "was revoked");

        // kubectl: the plugin's cached token is refused, so it logs in again; the user notices nothing.
        bob.run("get", "namespaces").assertSuccess();
        List<JsonNode> now = sessionsOf("bob", false);
        assertThat(now).hasSize(1);
        assertThat(now.get(0).path("id").asText()).isNotEqualTo(session.path("id").asText());

        // An agent may revoke its own session with its session token, not another one.
        String fresh = JSON.readTree(Files.readString(cachedToken("bob"))).path("token").asText();
        assertStatus(call("DELETE", "/kubegate/v1/sessions/" + session.path("id").asText(), fresh, null), 403, "only its own");
        assertThat(call("DELETE", "/kubegate/v1/sessions/" + now.get(0).path("id").asText(), fresh, null).statusCode()).isEqualTo(200);
        assertStatus(call("GET", "/api/v1/namespaces", fresh, null), 401, "was revoked");
    }

    @Test
    void anExpiredTokenIsRenewedTransparently() throws Exception {
        // Long enough that kubectl can use a fresh token even when the plugin's JVM starts slowly on a
        // loaded machine (a token that expires before kubectl sends it would loop on 401).
        Kubectl carol = loginKubectl("carol", "--token", CAROL, "--ttl", "12s");
        carol.run("get", "namespaces").assertSuccess();
        String first = JSON.readTree(Files.readString(cachedToken("carol"))).path("token").asText();
        Instant expires = Instant.parse(JSON.readTree(Files.readString(cachedToken("carol"))).path("expirationTimestamp").asText());
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expires).toMillis()) + 500);
        assertStatus(call("GET", "/api/v1/namespaces", first, null), 401, "expired");
        carol.run("get", "namespaces").assertSuccess();
        String second = JSON.readTree(Files.readString(cachedToken("carol"))).path("token").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(call("GET", "/api/v1/namespaces", second, null).statusCode()).isEqualTo(200);
    }

    @Test
    void suspensionRevokesSessionsAndRefusesNewOnesUntilResumed() throws Exception {
        // dave has a session through the plugin and an implicit one from using his credential directly.
        Kubectl dave = loginKubectl("dave", "--token", DAVE, "--label", "task=suspend");
        dave.run("get", "namespaces").assertSuccess();
        String token = JSON.readTree(Files.readString(cachedToken("dave"))).path("token").asText();
        assertThat(call("GET", "/api/v1/namespaces", DAVE, null).statusCode()).isEqualTo(200); // implicit session

        Response s = call("POST", "/kubegate/v1/identities/dave/suspend", ADMIN, "{\"reason\":\"incident\"}");
        assertThat(s.statusCode()).as(s.asString()).isEqualTo(200);
        assertThat(JSON.readTree(s.asString()).path("sessionsRevoked").asInt()).isEqualTo(1);

        assertStatus(call("GET", "/api/v1/namespaces", token, null), 401, "suspended");
        assertStatus(call("GET", "/api/v1/namespaces", DAVE, null), 401, "suspended");
        assertStatus(call("POST", "/kubegate/v1/sessions", DAVE, null), 403, "suspended");
        Kubectl.Result refused = dave.run("get", "namespaces");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("suspended");

        assertThat(call("POST", "/kubegate/v1/identities/dave/resume", ADMIN, null).statusCode()).isEqualTo(200);
        dave.run("get", "namespaces").assertSuccess();
        // The direct credential works again; the revoked session token does not.
        assertThat(call("GET", "/api/v1/namespaces", DAVE, null).statusCode()).isEqualTo(200);
        assertStatus(call("GET", "/api/v1/namespaces", token, null), 401, "revoked");
    }

    @Test
    void theSessionEndpointsAnswerWithStatusObjects() throws Exception {
        assertStatus(call("POST", "/kubegate/v1/sessions", null, null), 401, "no credentials");
        assertStatus(call("POST", "/kubegate/v1/sessions", "wrong", null), 401, "not valid");
        assertStatus(call("POST", "/kubegate/v1/sessions", ERIN, "{\"ttl\":\"forever\"}"), 400, "not a duration");
        assertStatus(call("POST", "/kubegate/v1/sessions", ERIN, "{\"labels\":{\"bad key\":\"x\"}}"), 400, "label key");
        assertStatus(call("POST", "/kubegate/v1/sessions", ERIN, "x".repeat(9000)), 413, "larger than");
        Response created = call("POST", "/kubegate/v1/sessions", ERIN, "{\"ttl\":\"2h\",\"justification\":\"IT\"}");
        assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
        JsonNode cred = JSON.readTree(created.asString());
        assertThat(cred.path("apiVersion").asText()).isEqualTo("client.authentication.k8s.io/v1");
        assertThat(cred.path("kind").asText()).isEqualTo("ExecCredential");
        assertThat(cred.path("status").path("token").asText()).startsWith("kubegate-session.");
        // 2h asked, capped by session.max-ttl (1h).
        java.time.Instant exp = java.time.Instant.parse(cred.path("status").path("expirationTimestamp").asText());
        assertThat(exp).isBefore(java.time.Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(cred.path("session").path("principal").path("name").asText()).isEqualTo("erin");
        String token = cred.path("status").path("token").asText();
        assertStatus(call("POST", "/kubegate/v1/sessions", token, null), 400, "cannot start a session");
        assertStatus(call("GET", "/kubegate/v1/sessions", token, null), 401, "admin token");
        assertStatus(call("DELETE", "/kubegate/v1/sessions/x", null, null), 401, "admin token");
        assertStatus(call("DELETE", "/kubegate/v1/sessions/nope", ADMIN, null), 404, "does not exist");
        assertStatus(call("POST", "/kubegate/v1/identities/erin/suspend", token, null), 401, "admin token");
        assertStatus(call("GET", "/api/v1/namespaces", token.substring(0, token.length() - 4) + "AAAA", null), 401, "signature");
        Response current = call("GET", "/kubegate/v1/sessions/current", token, null);
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(current.asString()).path("id").asText()).isEqualTo(cred.path("session").path("id").asText());
        String list = gateway.cli("sessions", "list", "--token", ADMIN);
        assertThat(list).contains(cred.path("session").path("id").asText());
    }
}
