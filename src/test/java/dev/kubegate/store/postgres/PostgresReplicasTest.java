package dev.kubegate.store.postgres;

import dev.kubegate.store.StateStore.Change;
import dev.kubegate.store.StoreUnavailableException;
import dev.kubegate.testing.Postgres;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas (two stores, each with its own Vert.x, pool and LISTEN connection) on one real
 * PostgreSQL: a change made by one is seen by the other within a second, and both fail closed while
 * the database is down and recover (with a resync) when it is back.
 */
class PostgresReplicasTest {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static Postgres pg;
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<PostgresStateStore> stores = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = Postgres.start();
    }

    @AfterAll
    static void stopDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void closeReplicas() {
        stores.forEach(PostgresStateStore::close);
        vertxes.forEach(v -> v.close().toCompletionStage().toCompletableFuture().join());
    }

    private PostgresStateStore[] replicas(String schema) {
        PostgresSettings settings = PostgresSettings.of(pg.reactiveUrl(), pg.user(), null, schema, 4,
                Duration.ofSeconds(2), Duration.ofSeconds(1));
        PostgresStateStore[] out = new PostgresStateStore[2];
        for (int i = 0; i < 2; i++) {
            Vertx vertx = Vertx.vertx();
            vertxes.add(vertx);
            out[i] = PostgresStateStore.start(vertx, settings, Clock.systemUTC());
            stores.add(out[i]);
        }
        return out;
    }

    private static <T> T sync(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void anotherReplicaSeesEachChangeWithinOneSecond() throws Exception {
        PostgresStateStore[] r = replicas("replicas_" + SCHEMAS.incrementAndGet());
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        r[1].subscribe(c -> {
            if (!c.resync()) {
                arrived.putIfAbsent(c.id() + "@" + c.version(), System.nanoTime());
            }
        });
        // Warm up both pools and the statement caches.
        sync(r[0].create("revocation", "warmup", "{}", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> arrived.containsKey("warmup@1"));

        int n = 50;
        List<Long> delaysMicros = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "session-" + i;
            long start;
            // Delay = from the start of the write on A to B's listener: includes the write's round trip.
            if (i % 2 == 0) {
                start = System.nanoTime();
                sync(r[0].create("revocation", id, "{\"i\":" + i + "}", null));
            } else {
                sync(r[0].create("revocation", id, "{}", null));
                start = System.nanoTime();
                sync(r[0].update("revocation", id, 1, "{\"revoked\":true}", null));
            }
            String key = i % 2 == 0 ? id + "@1" : id + "@2";
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(1)).until(() -> arrived.containsKey(key));
            delaysMicros.add((arrived.get(key) - start) / 1000);
        }
        // The other direction: replica 1 deletes, replica 0 hears it.
        List<Change> onZero = new CopyOnWriteArrayList<>();
        r[0].subscribe(onZero::add);
        assertThat(sync(r[1].delete("revocation", "session-0"))).isTrue();
        await().atMost(Duration.ofSeconds(1)).until(() -> onZero.contains(new Change("revocation", "session-0", 0)));

        Collections.sort(delaysMicros);
        long p50 = delaysMicros.get(n / 2);
        long p99 = delaysMicros.get((int) Math.ceil(n * 0.99) - 1);
        long max = delaysMicros.get(n - 1);
        System.out.printf("postgres change propagation between two replicas (write on A → listener on B), %d changes: "
                + "p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", n, p50 / 1000.0, p99 / 1000.0, max / 1000.0);
        assertThat(max).isLessThan(1_000_000);
    }

    @Test
    void failsClosedWhileTheDatabaseIsDownAndRecovers() throws Exception {
        PostgresStateStore[] r = replicas("restart_" + SCHEMAS.incrementAndGet());
        List<Change> seen = new CopyOnWriteArrayList<>();
        r[1].subscribe(seen::add);
        sync(r[0].create("suspension", "agent-1", "{}", null));
        await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains(new Change("suspension", "agent-1", 1)));
        assertThat(r[0].available()).isTrue();
        assertThat(r[1].available()).isTrue();

        pg.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !r[0].available() && !r[1].available());
        assertThatThrownBy(() -> sync(r[0].get("suspension", "agent-1"))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> sync(r[1].create("suspension", "agent-2", "{}", null))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> sync(r[0].addCounters("k", Map.of("n", 1L), null))).isInstanceOf(StoreUnavailableException.class);

        long down = System.nanoTime();
        pg.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> r[0].available() && r[1].available());
        System.out.printf("postgres restart: both replicas available again %d ms after the database was back%n",
                (System.nanoTime() - down) / 1_000_000);
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(Change.RESYNC));

        assertThat(sync(r[0].get("suspension", "agent-1"))).isPresent();
        sync(r[0].create("suspension", "agent-2", "{}", null));
        await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains(new Change("suspension", "agent-2", 1)));
    }

    @Test
    void recoversFromADatabaseCrash() throws Exception {
        PostgresStateStore[] r = replicas("crash_" + SCHEMAS.incrementAndGet());
        List<Change> seen = new CopyOnWriteArrayList<>();
        r[0].subscribe(seen::add);
        sync(r[1].create("session", "s1", "{}", null));
        pg.kill();
        await().atMost(Duration.ofSeconds(5)).until(() -> !r[0].available());
        assertThatThrownBy(() -> sync(r[1].get("session", "s1"))).isInstanceOf(StoreUnavailableException.class);
        pg.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> r[0].available() && r[1].available());
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(Change.RESYNC));
        assertThat(sync(r[0].get("session", "s1"))).isPresent();
        sync(r[1].update("session", "s1", 1, "{\"after\":\"crash\"}", null));
        await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains(new Change("session", "s1", 2)));
    }
}
