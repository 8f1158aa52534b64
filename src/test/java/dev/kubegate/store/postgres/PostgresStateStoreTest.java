package dev.kubegate.store.postgres;

import dev.kubegate.store.StateStore;
import dev.kubegate.store.StateStoreContract;
import dev.kubegate.testing.Postgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The store contract against a real PostgreSQL; each test in a schema of its own. */
class PostgresStateStoreTest extends StateStoreContract {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static Postgres pg;
    private static Vertx vertx;
    private final List<PostgresStateStore> opened = new ArrayList<>();

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = Postgres.start();
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

    @AfterEach
    void closeStores() {
        opened.forEach(PostgresStateStore::close);
    }

    @Override
    protected StateStore store() {
        PostgresSettings settings = PostgresSettings.of(pg.reactiveUrl(), pg.user(), null,
                "contract_" + SCHEMAS.incrementAndGet(), 4, Duration.ofSeconds(5), Duration.ofHours(1));
        PostgresStateStore s = PostgresStateStore.start(vertx, settings, clock);
        opened.add(s);
        return s;
    }

    @Override
    protected int purge(StateStore s) {
        return sync(((PostgresStateStore) s).purgeExpired());
    }
}
