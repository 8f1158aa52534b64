package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RecordedRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubectl suite against the Kubernetes API test double, plus what needs a kubelet (logs, exec)
 * and what only the double can observe: the headers that reached the API server.
 */
class FakeUpstreamKubectlIT extends KubectlContract {

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-fake-upstream")
            .agent(ALICE_TOKEN, "alice", "agents")
            .agent(BOB_TOKEN, "bob", "viewers");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl alice;

    @BeforeAll
    static void start() throws Exception {
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        alice = kubegate.kubectl("alice.kubeconfig", ALICE_TOKEN);
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default"},
                 "spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
    }

    @Override
    GatewayProcess gateway() {
        return gateway;
    }

    @Override
    Kubectl alice() {
        return alice;
    }

    @Test
    void theApiServerSeesTheGatewaysIdentityImpersonatingTheAgentAndNothingTheClientClaimed() {
        cluster.clearRequests();
        ok(alice, "--as", "system:admin", "--as-group", "system:masters", "get", "configmaps", "-n", "default");
        RecordedRequest list = cluster.requests().stream()
                .filter(r -> r.path().equals("/api/v1/namespaces/default/configmaps")).findFirst().orElseThrow();
        assertThat(list.header("Authorization")).isEqualTo("Bearer " + cluster.token());
        assertThat(list.headers().getAll("Impersonate-User")).containsExactly("kubegate:alice");
        assertThat(list.headers().getAll("Impersonate-Group")).containsExactly("agents");
        // A static token sent directly gets an implicit session (docs/sessions-and-identity.md): the cluster sees its id.
        assertThat(list.headers().getAll("Impersonate-Extra-kubegate.dev%2fsession")).singleElement().asString().startsWith("i-");
        assertThat(list.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void logsFollowStreamsLinesAsTheyAreWritten() {
        cluster.addPodLogLines("default", "web-1", List.of("first line"));
        try (Kubectl.Running logs = alice.start("-n", "default", "logs", "-f", "web-1")) {
            logs.awaitStdout("first line\n", Duration.ofSeconds(20));
            cluster.addPodLogLines("default", "web-1", List.of("written later"));
            logs.awaitStdout("first line\nwritten later\n", Duration.ofSeconds(10));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.openLogStreams() == 0);
    }

    @Test
    void execOverWebSocketRunsTheCommandAndKeepsItsExitCode() throws Exception {
        assertThat(ok(alice, "-n", "default", "exec", "web-1", "--", "echo", "hello", "agent").strip()).isEqualTo("hello agent");

        Kubectl.Result failed = alice.run("-n", "default", "exec", "web-1", "--", "sh", "-c", "exit 3");
        assertThat(failed.exitCode()).isEqualTo(3);

        Path input = Files.createTempFile("stdin", ".txt");
        Files.writeString(input, "line one\nline two\n");
        assertThat(alice.runWithStdinFrom(input, "-n", "default", "exec", "-i", "web-1", "--", "cat").stdout())
                .isEqualTo("line one\nline two\n");
        assertThat(cluster.requests().stream().filter(r -> r.path().endsWith("/exec")))
                .allSatisfy(r -> assertThat(r.header("Impersonate-User")).isEqualTo("kubegate:alice"));
    }

    @Test
    void aClientLeavingAWatchEndsItAtTheApiServer() {
        try (Kubectl.Running watch = alice.start("-n", "default", "get", "pods", "-w")) {
            await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.openWatches() >= 1);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.openWatches() == 0);
    }
}
