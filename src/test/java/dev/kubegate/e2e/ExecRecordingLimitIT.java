package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An exec session is never left running unrecorded: with a small {@code kubegate.audit.max-recording},
 * a session whose output (or input) outgrows it is ended by kubegate — kubectl prints why and fails,
 * the recording's last line says why, and the call's audit record says the session was ended.
 */
class ExecRecordingLimitIT {

    static final String TOKEN = "rec-agent-" + UUID.randomUUID();
    static final String ADMIN = "rec-admin-" + UUID.randomUUID();
    static final ObjectMapper JSON = new ObjectMapper();
    static final int LIMIT = 16 * 1024;

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-exec-limit")
            .agent(TOKEN, "alice", "agents")
            .admin(ADMIN, "root", "admins")
            .setting("kubegate.audit.max-recording", "16Ki");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;
    static Path auditDir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        auditDir = dir.resolve("gateway").resolve("data/audit");
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), TOKEN)).withTimeout(Duration.ofSeconds(60));
        agent.run("create", "namespace", "apps").assertSuccess();
        Path pod = dir.resolve("pod.yaml");
        Files.writeString(pod, """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: apps}
                spec:
                  containers: [{name: web, image: nginx}]
                """);
        agent.run("apply", "-f", pod.toString()).assertSuccess();
    }

    /** The audit record of the exec call whose command line contains {@code marker}. */
    static JsonNode execRecord(String marker) throws Exception {
        JsonNode[] found = new JsonNode[1];
        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
            HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url()
                            + "/kubegate/v1/audit/events?principal=alice&verb=create&resource=pods"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            found[0] = null;
            for (JsonNode e : JSON.readTree(r.body()).path("items")) {
                if (e.path("request").path("subresource").asText().equals("exec") && e.path("request").path("query").toString().contains(marker)
                        && e.has("recording")) {
                    found[0] = e;
                }
            }
            assertThat(found[0]).as("the exec record with " + marker).isNotNull();
        });
        return found[0];
    }

    static void assertEndedAndRecorded(JsonNode record) throws Exception {
        JsonNode rec = record.path("recording");
        assertThat(rec.path("truncated").asBoolean()).isTrue();
        assertThat(rec.path("sessionEnded").asText()).contains("reached its limit of " + LIMIT + " bytes").contains("kubegate.audit.max-recording");
        // The recording is bounded (the limit plus the one message that reached it) and its last line is the reason.
        Path cast = auditDir.resolve(rec.path("path").asText());
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            List<String> lines = Files.readAllLines(cast);
            assertThat(lines.get(lines.size() - 1)).contains("\"m\"").contains("kubegate: the session's recording reached its limit");
        });
        assertThat(Files.size(cast)).isLessThan(LIMIT + 64 * 1024);
        assertThat(rec.path("bytes").asLong()).isEqualTo(Files.size(cast));
    }

    @Test
    void outputPastTheLimitEndsTheSessionAndEveryoneIsToldWhy() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 20_000; i++) big.append("line ").append(i).append(" of a long file\n");
        cluster.putPodFile("apps", "web", "/data/big.txt", big.toString());
        Kubectl.Result r = agent.run("-n", "apps", "exec", "web", "--", "cat", "/data/big.txt");
        assertThat(r.exitCode()).as(r.stderr()).isNotZero();
        assertThat(r.stderr()).contains("kubegate ended this session").contains("kubegate.audit.max-recording");
        // The test double sends the file as one message: it would pass the limit, so none of it passes.
        assertThat(r.stdout()).as("output past the limit never reaches the client").doesNotContain("line 19999 of a long file");
        assertThat(r.stdout().length()).isLessThan(LIMIT);
        assertEndedAndRecorded(execRecord("big.txt"));
    }

    @Test
    void inputPastTheLimitEndsTheSessionToo() throws Exception {
        Path input = dir.resolve("input.txt");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 20_000; i++) in.append("echo typed line ").append(i).append('\n');
        Files.writeString(input, in.toString());
        Kubectl.Result r = agent.runWithStdinFrom(input, "-n", "apps", "exec", "-i", "web", "--", "cat");
        assertThat(r.exitCode()).as(r.stderr()).isNotZero();
        assertThat(r.stderr()).contains("kubegate ended this session").contains("kubegate.audit.max-recording");
        // What came after the limit never reached the pod (so was never echoed back).
        assertThat(r.stdout()).doesNotContain("echo typed line 19999");
        assertThat(r.stdout().length()).isLessThan(LIMIT);
        assertEndedAndRecorded(execRecord("stdin"));
    }
}
