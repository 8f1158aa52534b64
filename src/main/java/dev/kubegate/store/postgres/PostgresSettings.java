package dev.kubegate.store.postgres;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How to reach the database: {@code connect} (host, port, database, user, password, TLS mode) is
 * shared by the pool, the listening connection and the JDBC connection of the migration.
 *
 * @param schema      kubegate's own schema (tables, trigger, Flyway history); also names the
 *                    notification channel {@code <schema>_changes}. Several installations may share
 *                    one database with different schemas.
 * @param poolSize    connections for queries (the change feed holds one more)
 * @param timeout     limit of every operation, including the wait for a connection: past it the
 *                    operation fails with StoreUnavailableException
 * @param maintenance how often expired rows are purged and the listening connection is checked
 */
public record PostgresSettings(PgConnectOptions connect, String schema, int poolSize, Duration timeout, Duration maintenance) {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    public PostgresSettings {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("postgres schema '" + schema + "' must match " + SCHEMA.pattern());
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("postgres pool size must be at least 1");
        }
    }

    /**
     * Settings from a libpq-style URI ({@code postgresql://host:port/database?sslmode=require}); a
     * non-null {@code user} or {@code password} overrides the URI's.
     */
    public static PostgresSettings of(String url, String user, String password, String schema, int poolSize,
                                      Duration timeout, Duration maintenance) {
        PgConnectOptions connect;
        try {
            connect = PgConnectOptions.fromUri(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid postgres url '" + url + "': expected postgresql://host:port/database", e);
        }
        if (user != null) {
            connect.setUser(user);
        }
        if (password != null) {
            connect.setPassword(password);
        }
        connect.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        connect.setTcpKeepAlive(true);
        connect.setReconnectAttempts(0);
        connect.setCachePreparedStatements(true);
        return new PostgresSettings(connect, schema, poolSize, timeout, maintenance);
    }

    /** The same database as a JDBC URL (for the Flyway migration). */
    String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(connect.getHost()).append(':')
                .append(connect.getPort()).append('/').append(connect.getDatabase());
        SslMode ssl = connect.getSslMode();
        if (ssl != null && ssl != SslMode.DISABLE) {
            url.append("?sslmode=").append(ssl.value);
        }
        return url.toString();
    }

    /** For logs: never the password. */
    String describe() {
        return connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase() + " schema " + schema;
    }
}
