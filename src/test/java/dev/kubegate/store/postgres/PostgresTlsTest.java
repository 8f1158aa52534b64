package dev.kubegate.store.postgres;

import dev.kubegate.testing.Postgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS to the database: verified against kubegate.postgres.ca-file, for queries, LISTEN and the migration. */
class PostgresTlsTest {

    private static Postgres pg;
    private static Vertx vertx;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = Postgres.startWithTls();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopDatabase() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void verifiesTheServerAgainstTheConfiguredCa() throws Exception {
        PostgresSettings settings = PostgresSettings.of(pg.reactiveUrl(), pg.user(), null, pg.caFile(), "tls_ok", 2,
                Duration.ofSeconds(5), Duration.ofHours(1));
        try (PostgresStateStore store = PostgresStateStore.start(vertx, settings, Clock.systemUTC())) {
            assertThat(store.describe()).contains("TLS verify-full");
            store.create("session", "s1", "{}", null).await().atMost(Duration.ofSeconds(5));
            assertThat(store.available()).isTrue();
            // Every connection kubegate holds (pool and LISTEN) is encrypted.
            assertThat(pg.psql("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                    + " WHERE a.application_name <> 'psql' AND a.backend_type = 'client backend' AND NOT s.ssl")).isEqualTo("0");
            assertThat(Integer.parseInt(pg.psql("SELECT count(*) FROM pg_stat_ssl WHERE ssl"))).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void refusesAServerSignedByAnotherCa(@TempDir Path dir) throws Exception {
        Path otherCa = dir.resolve("other-ca.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", dir.resolve("k").toString(), "-out", otherCa.toString(), "-days", "1", "-subj", "/CN=other")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(Files.exists(otherCa)).isTrue();
        PostgresSettings settings = PostgresSettings.of(pg.reactiveUrl(), pg.user(), null, otherCa, "tls_bad", 2,
                Duration.ofSeconds(3), Duration.ofHours(1));
        assertThatThrownBy(() -> PostgresStateStore.start(vertx, settings, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot migrate");
    }

    @Test
    void verifyModesNeedACaFile() {
        assertThatThrownBy(() -> PostgresSettings.of(pg.reactiveUrl() + "?sslmode=verify-full", pg.user(), null, "x", 2,
                Duration.ofSeconds(3), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca-file");
    }
}
