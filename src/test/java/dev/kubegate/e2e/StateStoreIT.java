package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Postgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The state store as the packaged application opens it: the default embedded store under the data
 * directory (locked to one process, never opened by the CLI), and two replicas on one real
 * PostgreSQL whose readiness follows the database through a restart.
 */
class StateStoreIT {

    static final String ADMIN = "store-admin-token";
    static FakeKubeApiServer cluster;
    static Path dir;
    static Path upstream;
    static Path admins;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubegate-store-it");
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
        upstream = cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig"));
        admins = dir.resolve("admins.csv");
        Files.writeString(admins, ADMIN + ",store-human,h1,\"sre\"\n");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, String> settings(Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of(
                "kubegate.upstream.kubeconfig", upstream.toString(),
                "kubegate.admin.tokens-file", admins.toString()));
        all.putAll(extra);
        return all;
    }

    private static HttpResponse<String> get(GatewayProcess g, String path, boolean admin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + path)).timeout(Duration.ofSeconds(10));
        if (admin) {
            b.header("Authorization", "Bearer " + ADMIN);
        }
        return g.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void embeddedStoreLivesUnderTheDataDirAndServesOneProcess() throws Exception {
        Path work = dir.resolve("embedded");
        try (GatewayProcess g = GatewayProcess.start(work, settings(Map.of()))) {
            g.awaitReady();
            assertThat(work.resolve("data/state/snapshot")).exists();
            HttpResponse<String> ready = get(g, "/q/health/ready", false);
            assertThat(ready.body()).containsPattern("\"name\": ?\"store\",\\s*\"status\": ?\"UP\"");
            assertThat(get(g, "/kubegate/v1/status", true).body()).contains("\"store\"").contains("embedded (");

            // The CLI runs the same application on the same data dir without opening the store.
            assertThat(g.cli("kubeconfig", "--token", "t")).contains("kind: Config");

            // A second server on the same directory refuses to start, naming the reason.
            assertThatThrownBy(() -> GatewayProcess.start(dir.resolve("embedded-2"),
                    settings(Map.of("kubegate.data-dir", work.resolve("data").toString()))).close())
                    .hasMessageContaining("in use by another kubegate process");
        }
    }

    @Test
    void replicasOnPostgresFollowTheDatabase() throws Exception {
        try (Postgres pg = Postgres.start()) {
            Map<String, String> pgSettings = settings(Map.of("kubegate.store", "postgres",
                    "kubegate.postgres.url", pg.reactiveUrl(), "kubegate.postgres.timeout", "2s"));
            try (GatewayProcess a = GatewayProcess.start(dir.resolve("pg-a"), pgSettings);
                 GatewayProcess b = GatewayProcess.start(dir.resolve("pg-b"), pgSettings)) {
                a.awaitReady();
                b.awaitReady();
                assertThat(get(a, "/kubegate/v1/status", true).body()).contains("postgres (127.0.0.1:" + pg.port());
                assertThat(pg.psql("SELECT count(*) FROM kubegate.flyway_schema_history WHERE version = '1' AND success")).isEqualTo("1");

                pg.stop();
                for (GatewayProcess g : new GatewayProcess[]{a, b}) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> get(g, "/q/health/ready", false).statusCode() == 503);
                    assertThat(get(g, "/q/health/ready", false).body())
                            .containsPattern("\"name\": ?\"store\",\\s*\"status\": ?\"DOWN\"");
                }
                pg.restart();
                for (GatewayProcess g : new GatewayProcess[]{a, b}) {
                    await().atMost(Duration.ofSeconds(15)).until(() -> get(g, "/q/health/ready", false).statusCode() == 200);
                }
                assertThat(a.logText()).contains("resynchronizing");
            }
        }
    }
}
