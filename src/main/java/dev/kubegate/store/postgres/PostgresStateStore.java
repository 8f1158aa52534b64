package dev.kubegate.store.postgres;

import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import dev.kubegate.store.StoreUnavailableException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Shared state of several replicas in PostgreSQL. Queries go through the Vert.x reactive pool (no
 * thread waits); compare-and-set is a conditional {@code UPDATE ... WHERE version = $expected}; a
 * trigger notifies every change on channel {@code <schema>_changes}, which each replica's
 * {@link ChangeFeed} listens to. The schema is migrated by Flyway (JDBC, at start-up only).
 *
 * <p>Failure: every error other than a conflict, and every operation slower than the configured
 * timeout, fails with {@link StoreUnavailableException}; {@link #available()} is false while the
 * change feed is disconnected. Both recover by themselves when the database is back.
 *
 * <p>Time: expiry is judged by this replica's clock (passed as a parameter), the same clock that
 * set the expiry, so all implementations agree; replicas' clocks should be NTP-synchronized.
 */
public final class PostgresStateStore implements StateStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresStateStore.class);

    private final Vertx vertx;
    private final PostgresSettings settings;
    private final Clock clock;
    private final Pool pool;
    private final ChangeFeed feed;
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final long purgeTimer;
    private final String getSql;
    private final String listSql;
    private final String createSql;
    private final String updateSql;
    private final String deleteSql;
    private final String addCountersSql;
    private final String countersSql;
    private final String purgeDocumentsSql;
    private final String purgeCountersSql;

    private PostgresStateStore(Vertx vertx, PostgresSettings settings, Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.clock = clock;
        String docs = settings.schema() + ".documents";
        String counters = settings.schema() + ".counters";
        String live = "(expires_at IS NULL OR expires_at > $%d)";
        getSql = "SELECT version, json, updated_at, expires_at FROM " + docs + " WHERE kind = $1 AND id = $2 AND "
                + live.formatted(3);
        listSql = "SELECT id, version, json, updated_at, expires_at FROM " + docs + " WHERE kind = $1 AND " + live.formatted(2);
        // An expired row still present (not yet purged) does not block a create.
        createSql = "INSERT INTO " + docs + " AS d (kind, id, version, json, updated_at, expires_at) VALUES ($1, $2, 1, $3, $4, $5)"
                + " ON CONFLICT (kind, id) DO UPDATE SET version = 1, json = excluded.json, updated_at = excluded.updated_at,"
                + " expires_at = excluded.expires_at WHERE d.expires_at IS NOT NULL AND d.expires_at <= $4 RETURNING version";
        updateSql = "UPDATE " + docs + " SET version = version + 1, json = $4, updated_at = $5, expires_at = $6"
                + " WHERE kind = $1 AND id = $2 AND version = $3 AND " + live.formatted(5) + " RETURNING version";
        deleteSql = "DELETE FROM " + docs + " WHERE kind = $1 AND id = $2 RETURNING " + live.formatted(3) + " AS live";
        // Counters of a key are one jsonb object; an expired key starts again from zero.
        addCountersSql = "INSERT INTO " + counters + " AS c (counter_key, counts, expires_at) VALUES ($1, $2::jsonb, $3)"
                + " ON CONFLICT (counter_key) DO UPDATE SET"
                + " counts = CASE WHEN c.expires_at IS NOT NULL AND c.expires_at <= $4 THEN excluded.counts"
                + "   ELSE COALESCE((SELECT jsonb_object_agg(name, total) FROM (SELECT name, sum(delta) AS total FROM ("
                + "     SELECT e.key AS name, e.value::bigint AS delta FROM jsonb_each_text(c.counts) e"
                + "     UNION ALL SELECT x.key, x.value::bigint FROM jsonb_each_text(excluded.counts) x) parts"
                + "     GROUP BY name) sums), '{}'::jsonb) END,"
                + " expires_at = CASE WHEN (c.expires_at IS NOT NULL AND c.expires_at <= $4) OR excluded.expires_at IS NULL"
                + "   OR c.expires_at IS NULL OR excluded.expires_at > c.expires_at THEN excluded.expires_at ELSE c.expires_at END"
                + " RETURNING counts::text";
        countersSql = "SELECT counts::text FROM " + counters + " WHERE counter_key = $1 AND " + live.formatted(2);
        purgeDocumentsSql = "DELETE FROM " + docs + " WHERE expires_at <= $1";
        purgeCountersSql = "DELETE FROM " + counters + " WHERE expires_at <= $1";
        PoolOptions poolOptions = new PoolOptions().setMaxSize(settings.poolSize()).setName("kubegate-state")
                .setConnectionTimeout((int) settings.timeout().toMillis()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxWaitQueueSize(1024);
        pool = PgBuilder.pool().with(poolOptions).connectingTo(settings.connect()).using(vertx).build();
        feed = new ChangeFeed(vertx, settings.connect(), settings.schema() + "_changes", this::deliver,
                settings.maintenance().compareTo(java.time.Duration.ofSeconds(5)) < 0 ? settings.maintenance()
                        : java.time.Duration.ofSeconds(5), settings.timeout());
        purgeTimer = vertx.setPeriodic(settings.maintenance().toMillis(), id -> purgeExpired()
                .subscribe().with(n -> LOG.debugf("purged %d expired state rows", n),
                        e -> LOG.debugf("purging expired state rows failed: %s", e.getMessage())));
    }

    /**
     * Migrates the schema, opens the pool and starts listening. Blocks (JDBC, waiting for the first
     * LISTEN): call at start-up, not on an event loop.
     *
     * @throws IllegalStateException when the database cannot be reached or migrated within the timeout
     */
    public static PostgresStateStore start(Vertx vertx, PostgresSettings settings, Clock clock) {
        migrate(settings);
        PostgresStateStore store = new PostgresStateStore(vertx, settings, clock);
        try {
            store.feed.start().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.close();
            throw new IllegalStateException("interrupted while connecting to postgres", e);
        } catch (ExecutionException | TimeoutException e) {
            store.close();
            throw new IllegalStateException("cannot LISTEN on postgres " + settings.describe() + " within " + settings.timeout(), e);
        }
        LOG.infof("postgres state store: %s", settings.describe());
        return store;
    }

    /** Creates or upgrades kubegate's schema with Flyway over JDBC. */
    static MigrateResult migrate(PostgresSettings settings) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(settings.jdbcUrl());
        ds.setUser(settings.connect().getUser());
        ds.setPassword(settings.connect().getPassword());
        ds.setConnectTimeout((int) Math.max(1, settings.timeout().toSeconds()));
        ds.setApplicationName("kubegate");
        try {
            return Flyway.configure(PostgresStateStore.class.getClassLoader())
                    .dataSource(ds)
                    .schemas(settings.schema())
                    .defaultSchema(settings.schema())
                    .createSchemas(true)
                    .locations(new String[0])
                    .javaMigrations(new V1__state_store())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot migrate the postgres state store schema on " + settings.describe()
                    + ": " + rootMessage(e), e);
        }
    }

    @Override
    public Uni<Optional<Document>> get(String kind, String id) {
        return query(() -> pool.preparedQuery(getSql).execute(Tuple.of(kind, id, now())))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Document>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Document(kind, id, r.getLong(0), r.getString(1), instant(r, 2), instant(r, 3)));
                });
    }

    @Override
    public Uni<List<Document>> list(String kind) {
        return query(() -> pool.preparedQuery(listSql).execute(Tuple.of(kind, now())))
                .map(rows -> {
                    List<Document> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new Document(kind, r.getString(0), r.getLong(1), r.getString(2), instant(r, 3), instant(r, 4)));
                    }
                    return out;
                });
    }

    @Override
    public Uni<Document> create(String kind, String id, String json, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            StateStore.requireValidKey(kind, id);
            OffsetDateTime now = now();
            return query(() -> pool.preparedQuery(createSql).execute(Tuple.of(kind, id, json, now, at(expiresAt))))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            throw new StoreConflictException(kind, id);
                        }
                        return new Document(kind, id, 1, json, now.toInstant(), instantOf(at(expiresAt)));
                    });
        });
    }

    @Override
    public Uni<Document> update(String kind, String id, long expectedVersion, String json, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            OffsetDateTime now = now();
            return query(() -> pool.preparedQuery(updateSql)
                    .execute(Tuple.from(new Object[]{kind, id, expectedVersion, json, now, at(expiresAt)})))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            throw new StoreConflictException(kind, id);
                        }
                        return new Document(kind, id, rows.iterator().next().getLong(0), json, now.toInstant(), instantOf(at(expiresAt)));
                    });
        });
    }

    @Override
    public Uni<Boolean> delete(String kind, String id) {
        return query(() -> pool.preparedQuery(deleteSql).execute(Tuple.of(kind, id, now())))
                .map(rows -> rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0)));
    }

    @Override
    public Uni<Map<String, Long>> addCounters(String key, Map<String, Long> deltas, Instant expiresAt) {
        return Uni.createFrom().deferred(() -> {
            JsonObject d = new JsonObject();
            deltas.forEach(d::put);
            return query(() -> pool.preparedQuery(addCountersSql).execute(Tuple.of(key, d, at(expiresAt), now())))
                    .map(rows -> counts(rows.iterator().next().getString(0)));
        });
    }

    @Override
    public Uni<Map<String, Long>> counters(String key) {
        return query(() -> pool.preparedQuery(countersSql).execute(Tuple.of(key, now())))
                .map(rows -> rows.size() == 0 ? Map.<String, Long>of() : counts(rows.iterator().next().getString(0)));
    }

    @Override
    public AutoCloseable subscribe(Consumer<Change> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public boolean available() {
        return feed.listening();
    }

    @Override
    public java.time.Duration lag() {
        return feed.sinceConfirmed();
    }

    @Override
    public String describe() {
        return "postgres (" + settings.describe() + ")";
    }

    /** Deletes expired documents and counters; answers how many rows went. Runs periodically by itself. */
    public Uni<Integer> purgeExpired() {
        return Uni.createFrom().deferred(() -> {
            OffsetDateTime now = now();
            return query(() -> pool.preparedQuery(purgeDocumentsSql).execute(Tuple.of(now)))
                    .flatMap(a -> query(() -> pool.preparedQuery(purgeCountersSql).execute(Tuple.of(now)))
                            .map(b -> a.rowCount() + b.rowCount()));
        });
    }

    @Override
    public void close() {
        vertx.cancelTimer(purgeTimer);
        feed.close();
        pool.close();
    }

    private void deliver(Change change) {
        for (Consumer<Change> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "state store listener failed on %s", change);
            }
        }
    }

    /** Runs a query lazily, bounded by the timeout; every failure becomes StoreUnavailableException. */
    private Uni<RowSet<Row>> query(Supplier<Future<RowSet<Row>>> q) {
        return Uni.createFrom().completionStage(() -> q.get().toCompletionStage())
                .ifNoItem().after(settings.timeout())
                .failWith(() -> new StoreUnavailableException("postgres state store: no answer within " + settings.timeout(), null))
                .onFailure(e -> !(e instanceof StoreUnavailableException))
                .transform(e -> new StoreUnavailableException("postgres state store: " + rootMessage(e), e));
    }

    /** PostgreSQL keeps microseconds: truncate here so the answered document equals the stored one. */
    private OffsetDateTime now() {
        return at(clock.instant());
    }

    private static OffsetDateTime at(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static Instant instantOf(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(Row r, int column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static Map<String, Long> counts(String json) {
        JsonObject o = new JsonObject(json);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String name : o.fieldNames()) {
            out.put(name, ((Number) o.getValue(name)).longValue());
        }
        return Map.copyOf(out);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
