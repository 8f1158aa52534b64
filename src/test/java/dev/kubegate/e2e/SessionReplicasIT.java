package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two kubegate replicas sharing one real PostgreSQL: a session issued by one works on the other; a
 * revocation or suspension on one is enforced by the other within a second (the delay is measured
 * and printed); while the database is down, session tokens are refused with 503 (fail closed) and
 * they work again once it is back.
 */
class SessionReplicasIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String AGENT = "agent-" + UUID.randomUUID();
    static final String OTHER = "other-" + UUID.randomUUID();
    static final String ADMIN = "admin-" + UUID.randomUUID();

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-session-replicas")
            .agent(AGENT, "ci", "agents")
            .agent(OTHER, "other", "agents")
            .admin(ADMIN, "root", "admins")
            .replicas(2).postgresStore();

    static Postgres pg;
    static GatewayProcess a;
    static GatewayProcess b;
    static HttpClient httpA;
    static HttpClient httpB;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        pg = kubegate.postgres();
        a = kubegate.replica(0);
        b = kubegate.replica(1);
        httpA = a.httpClient();
        httpB = b.httpClient();
    }

    static HttpResponse<String> call(GatewayProcess g, String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(g.url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) r.header("Authorization", "Bearer " + bearer);
        return (g == a ? httpA : httpB).send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode login(GatewayProcess g, String credential) throws Exception {
        HttpResponse<String> r = call(g, "POST", "/kubegate/v1/sessions", credential, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    /** Polls {@code g} with {@code token} until it answers {@code code}; the time it took, in ms. */
    static long untilStatus(GatewayProcess g, String token, int code, long startNanos, Duration max) throws Exception {
        long deadline = startNanos + max.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            last = call(g, "GET", "/api/v1/namespaces", token, null).statusCode();
            if (last == code) {
                return (System.nanoTime() - startNanos) / 1_000_000;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("still " + last + " after " + max + ", expected " + code);
    }

    @Test
    void revocationAndSuspensionOnOneReplicaAreEnforcedByTheOtherWithinASecond() throws Exception {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode cred = login(i % 2 == 0 ? a : b, AGENT);
            String token = cred.path("status").path("token").asText();
            String id = cred.path("session").path("id").asText();
            GatewayProcess revoker = i % 2 == 0 ? a : b;
            GatewayProcess enforcer = i % 2 == 0 ? b : a;
            assertThat(call(enforcer, "GET", "/api/v1/namespaces", token, null).statusCode()).isEqualTo(200);
            long t0 = System.nanoTime();
            HttpResponse<String> revoked = call(revoker, "DELETE", "/kubegate/v1/sessions/" + id, ADMIN, null);
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            long ms = untilStatus(enforcer, token, 401, t0, Duration.ofSeconds(1));
            delays.add(ms);
        }
        Collections.sort(delays);
        System.out.printf("revocation propagation (DELETE sent on one replica -> 401 on the other), ms: %s; median %d, max %d%n",
                delays, delays.get(delays.size() / 2), delays.get(delays.size() - 1));
        assertThat(delays.get(delays.size() - 1)).isLessThan(1000);

        // Suspension: on A, enforced on B (session token and direct credential) within a second.
        String token = login(b, OTHER).path("status").path("token").asText();
        assertThat(call(b, "GET", "/api/v1/namespaces", OTHER, null).statusCode()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(call(a, "POST", "/kubegate/v1/identities/other/suspend", ADMIN, null).statusCode()).isEqualTo(200);
        long ms = untilStatus(b, token, 401, t0, Duration.ofSeconds(1));
        System.out.printf("suspension propagation (suspend on A -> 401 on B): %d ms%n", ms);
        assertThat(call(b, "GET", "/api/v1/namespaces", OTHER, null).statusCode()).isEqualTo(401);
        assertThat(call(b, "POST", "/kubegate/v1/sessions", OTHER, null).statusCode()).isEqualTo(403);
        assertThat(call(b, "POST", "/kubegate/v1/identities/other/resume", ADMIN, null).statusCode()).isEqualTo(200);
        untilStatus(a, OTHER, 200, System.nanoTime(), Duration.ofSeconds(1));
    }

    @Test
    void sessionsFailClosedWhileTheDatabaseIsDownAndRecover() throws Exception {
        String token = login(a, AGENT).path("status").path("token").asText();
        Kubectl onB = new Kubectl(b.kubeconfig(dir.resolve("b.kubeconfig"), token));
        onB.run("get", "namespaces").assertSuccess();

        pg.stop();
        long down = System.nanoTime();
        try {
            long ms = untilStatus(a, token, 503, down, Duration.ofSeconds(20));
            HttpResponse<String> refused = call(b, "GET", "/api/v1/namespaces", token, null);
            untilStatus(b, token, 503, down, Duration.ofSeconds(20));
            System.out.printf("database stopped: session tokens refused with 503 after %d ms%n", ms);
            HttpResponse<String> r = call(a, "GET", "/api/v1/namespaces", token, null);
            JsonNode status = JSON.readTree(r.body());
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("code").asInt()).isEqualTo(503);
            assertThat(status.path("message").asText()).contains("state store");
            Kubectl.Result k = onB.run("get", "namespaces");
            assertThat(k.exitCode()).isNotZero();
            assertThat(refused.statusCode()).isIn(200, 503);
            // No new sessions either.
            assertThat(call(a, "POST", "/kubegate/v1/sessions", AGENT, null).statusCode()).isEqualTo(503);
        } finally {
            pg.restart();
        }
        long up = System.nanoTime();
        long ms = untilStatus(a, token, 200, up, Duration.ofSeconds(30));
        untilStatus(b, token, 200, up, Duration.ofSeconds(30));
        System.out.printf("database back: session tokens accepted again after %d ms%n", ms);
        onB.run("get", "namespaces").assertSuccess();

        // The feed works again: a revocation on B is enforced on A within a second.
        JsonNode cred = login(b, AGENT);
        String fresh = cred.path("status").path("token").asText();
        assertThat(call(a, "GET", "/api/v1/namespaces", fresh, null).statusCode()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(call(b, "DELETE", "/kubegate/v1/sessions/" + cred.path("session").path("id").asText(), ADMIN, null)
                .statusCode()).isEqualTo(200);
        System.out.printf("after the restart: revocation on B refused on A after %d ms%n",
                untilStatus(a, fresh, 401, t0, Duration.ofSeconds(1)));
    }
}
