package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica stopping behind a load balancer (SIGTERM, as Kubernetes sends it): readiness turns 503
 * at once, open watches end cleanly between events after the drain delay (kubectl's watch ends
 * without an error; a raw watch reads only whole events and a normal end of stream), and a call
 * that was in flight still gets its answer.
 */
class ShutdownIT {

    static final String TOKEN = "shutdown-agent-token";
    /** Every API server answer takes this long: the call in flight outlives the drain delay. */
    static final Duration LATENCY = Duration.ofMillis(2500);

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubegate-shutdown");
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.builder().latency(LATENCY).build());
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, TOKEN + ",stopper,stopper-uid,\"agents\"\n");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.shutdown.drain-delay", "700ms",
                "kubegate.shutdown.timeout", "20s"));
        gateway.awaitReady();
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default"},
                 "spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void sigtermDrainsReadinessThenWatchesThenInFlightCalls() throws Exception {
        Kubectl kubectl = new Kubectl(gateway.kubeconfig(dir.resolve("agent.kubeconfig"), TOKEN))
                .withTimeout(Duration.ofSeconds(60));
        HttpClient http = gateway.httpClient();
        try (Kubectl.Running watch = kubectl.start("-n", "default", "get", "pods", "-w")) {
            watch.awaitStdout("web-1", Duration.ofSeconds(30));
            CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> rawWatch = http.sendAsync(
                    api("/api/v1/namespaces/default/pods?watch=1"), HttpResponse.BodyHandlers.ofLines());
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.openWatches() >= 2);

            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                    api("/api/v1/namespaces/default/pods/web-1"), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300); // the gateway holds it now, waiting for the (slow) API server
            long sigterm = System.nanoTime();
            gateway.terminate();

            // 1. unready at once, while the listener still serves
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> readiness(http) == 503);

            // 2. the watches end cleanly after the drain delay: kubectl exits without an error ...
            int code = watch.waitFor(Duration.ofSeconds(15));
            long watchEndedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
            assertThat(code).as("kubectl get -w exit code; stderr: %s", watch.stderr()).isZero();
            assertThat(watch.stderr()).doesNotContainIgnoringCase("error");
            assertThat(watchEndedMs).isGreaterThanOrEqualTo(600);
            // ... and a raw watch read whole events and a normal end of the stream
            HttpResponse<java.util.stream.Stream<String>> raw = rawWatch.get(15, TimeUnit.SECONDS);
            assertThat(raw.statusCode()).isEqualTo(200);
            List<String> events = raw.body().toList(); // throws if the stream was cut
            assertThat(events).isNotEmpty();
            ObjectMapper json = new ObjectMapper();
            for (String e : events) {
                assertThat(json.readTree(e).path("type").asText()).as(e).isIn("ADDED", "MODIFIED", "DELETED", "BOOKMARK");
            }

            // 3. the call in flight at SIGTERM completes after the watches ended
            HttpResponse<String> answered = inFlight.get(20, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(answered.body()).contains("\"web-1\"");

            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.logText()).isNotEqualTo(-1);
            assertThat(cluster.openWatches()).isZero();
        }
    }

    /** Exec sessions are not cut by the drain: they end when the in-flight timeout is over, last. */
    @Test
    void execSessionsAreClosedLastAfterTheTimeout() throws Exception {
        Path agents = dir.resolve("agents.csv");
        try (GatewayProcess g = GatewayProcess.start(dir.resolve("gateway-exec"), Map.of(
                "kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream2.kubeconfig")).toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.shutdown.drain-delay", "300ms",
                "kubegate.shutdown.timeout", "4s"))) {
            g.awaitReady();
            Kubectl kubectl = new Kubectl(g.kubeconfig(dir.resolve("exec.kubeconfig"), TOKEN)).withTimeout(Duration.ofSeconds(60));
            try (Kubectl.Running exec = kubectl.start("-n", "default", "exec", "web-1", "--", "sleep", "600")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> cluster.openExecSessions() == 1);
                long sigterm = System.nanoTime();
                g.terminate();
                Thread.sleep(2000); // past the drain delay: watches would have ended, the session goes on
                assertThat(exec.isAlive()).as("exec session cut before the timeout; stderr: %s", exec.stderr()).isTrue();
                exec.waitFor(Duration.ofSeconds(20));
                long endedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
                assertThat(endedMs).isBetween(3_500L, 15_000L);
                assertThat(g.awaitExit(Duration.ofSeconds(20))).as(g.logText()).isNotEqualTo(-1);
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.openExecSessions() == 0);
            }
        }
    }

    private HttpRequest api(String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + TOKEN)
                .header("Accept", "application/json").build();
    }

    private static int readiness(HttpClient http) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
