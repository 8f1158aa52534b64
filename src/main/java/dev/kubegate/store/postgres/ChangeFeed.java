package dev.kubegate.store.postgres;

import dev.kubegate.store.StateStore.Change;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One dedicated connection that {@code LISTEN}s on the change channel and turns notifications into
 * {@link Change}s. When the connection drops (database restart, network) it reconnects with backoff
 * (100 ms doubling to 2 s, forever) and then delivers {@link Change#RESYNC}: notifications sent while
 * it was away are lost, so listeners must reload. A heartbeat query detects a connection that died
 * silently. Everything runs on the connection's event loop; nothing blocks.
 */
final class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final long MAX_BACKOFF_MS = 2000;

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final String channel;
    private final Consumer<Change> deliver;
    private final Duration heartbeat;
    private final Duration timeout;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    private volatile PgConnection connection;
    private volatile boolean listening;
    private volatile boolean closed;
    private volatile long heartbeatTimer = -1;
    /** System.nanoTime() when the feed last proved live; 0 before the first LISTEN. */
    private volatile long confirmedAt;
    // Touched only on the feed's context.
    private boolean everListened;
    private int attempts;

    ChangeFeed(Vertx vertx, PgConnectOptions options, String channel, Consumer<Change> deliver, Duration heartbeat,
               Duration timeout) {
        this.vertx = vertx;
        this.options = options;
        this.channel = channel;
        this.deliver = deliver;
        this.heartbeat = heartbeat;
        this.timeout = timeout;
    }

    /** Connects and listens; completes on the first successful LISTEN (retries until then). */
    CompletableFuture<Void> start() {
        // One context for all callbacks: connect, timers and handlers never run concurrently.
        vertx.getOrCreateContext().runOnContext(v -> {
            connect();
            heartbeatTimer = vertx.setPeriodic(heartbeat.toMillis(), id -> checkAlive());
        });
        return firstConnect;
    }

    /** True while the LISTEN connection is up: changes of other replicas reach this one. */
    boolean listening() {
        return listening && !closed;
    }

    /** Time since the feed last proved live (LISTEN, heartbeat answer, notification); zero before it started. */
    java.time.Duration sinceConfirmed() {
        long at = confirmedAt;
        return at == 0 ? java.time.Duration.ZERO : java.time.Duration.ofNanos(System.nanoTime() - at);
    }

    void close() {
        closed = true;
        listening = false;
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        PgConnection c = connection;
        if (c != null) {
            c.close();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        PgConnection.connect(vertx, options).onComplete(ar -> {
            if (ar.failed()) {
                retry(ar.cause());
                return;
            }
            PgConnection conn = ar.result();
            if (closed) {
                conn.close();
                return;
            }
            connection = conn;
            conn.notificationHandler(n -> {
                if (channel.equals(n.getChannel())) {
                    onNotification(n.getPayload());
                }
            });
            conn.exceptionHandler(e -> LOG.debugf("state store change feed connection: %s", e.getMessage()));
            conn.closeHandler(v -> onClosed(conn));
            conn.query("LISTEN " + channel).execute().onComplete(listen -> {
                if (listen.failed()) {
                    LOG.warnf("state store change feed: LISTEN %s failed: %s", channel, listen.cause().getMessage());
                    conn.close();
                    return;
                }
                attempts = 0;
                listening = true;
                confirmedAt = System.nanoTime();
                if (everListened) {
                    LOG.infof("state store change feed reconnected (%s): resynchronizing", channel);
                    safeDeliver(Change.RESYNC);
                }
                everListened = true;
                firstConnect.complete(null);
            });
        });
    }

    private void onClosed(PgConnection conn) {
        if (connection != conn) {
            return;
        }
        connection = null;
        boolean was = listening;
        listening = false;
        if (!closed) {
            if (was) {
                LOG.warnf("state store change feed lost its database connection: reconnecting");
            }
            retry(null);
        }
    }

    private void retry(Throwable cause) {
        if (closed) {
            return;
        }
        long delay = Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempts, 5));
        if (attempts == 0 && cause != null) {
            LOG.warnf("state store change feed cannot connect to %s:%d: %s (retrying)", options.getHost(), options.getPort(),
                    cause.getMessage());
        }
        attempts++;
        vertx.setTimer(delay, id -> connect());
    }

    /** A connection that stopped answering (no FIN, e.g. a network partition) is closed to force a reconnect. */
    private void checkAlive() {
        PgConnection c = connection;
        if (c == null || !listening) {
            return;
        }
        long timer = vertx.setTimer(timeout.toMillis(), id -> {
            LOG.warnf("state store change feed: no answer from the database in %s; reconnecting", timeout);
            c.close();
            onClosed(c);
        });
        c.query("SELECT 1").execute().onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                c.close();
            } else {
                confirmedAt = System.nanoTime();
            }
        });
    }

    private void onNotification(String payload) {
        confirmedAt = System.nanoTime();
        Change change;
        try {
            JsonObject o = new JsonObject(payload);
            change = new Change(o.getString("kind"), o.getString("id"), o.getLong("version"));
            if (change.kind() == null || change.id() == null) {
                throw new IllegalArgumentException("kind or id missing");
            }
        } catch (RuntimeException e) {
            LOG.warnf("state store change feed: ignoring malformed notification '%s': %s", payload, e.getMessage());
            return;
        }
        safeDeliver(change);
    }

    private void safeDeliver(Change change) {
        try {
            deliver.accept(change);
        } catch (RuntimeException e) {
            LOG.warnf(e, "state store change listener failed on %s", change);
        }
    }
}
