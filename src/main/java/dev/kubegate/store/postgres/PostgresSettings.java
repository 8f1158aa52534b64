package dev.kubegate.store.postgres;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.nio.file.Path;
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
 * @param caFile      PEM CA bundle verifying the server (TLS), or null
 */
public record PostgresSettings(PgConnectOptions connect, String schema, int poolSize, Duration timeout, Duration maintenance,
                               Path caFile) {

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
        return of(url, user, password, null, schema, poolSize, timeout, maintenance);
    }

    /**
     * As {@link #of(String, String, String, String, int, Duration, Duration)}, with TLS: a non-null
     * {@code caFile} (PEM) is what the server's certificate must chain to, and makes the mode
     * {@code verify-full} unless the URI asks for {@code verify-ca}. Without a CA file,
     * {@code sslmode=require} encrypts without verifying the server, as libpq does.
     */
    public static PostgresSettings of(String url, String user, String password, Path caFile, String schema, int poolSize,
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
        SslMode mode = connect.getSslMode();
        if (caFile != null) {
            if (mode != SslMode.VERIFY_CA) {
                connect.setSslMode(SslMode.VERIFY_FULL);
            }
            connect.setPemTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()));
        } else if (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL) {
            throw new IllegalArgumentException("sslmode=" + mode.value + " needs kubegate.postgres.ca-file");
        } else if (mode == SslMode.REQUIRE || mode == SslMode.PREFER || mode == SslMode.ALLOW) {
            connect.setTrustAll(true);
        }
        if (connect.getSslMode() == SslMode.VERIFY_FULL) {
            connect.setHostnameVerificationAlgorithm("HTTPS");
        }
        return new PostgresSettings(connect, schema, poolSize, timeout, maintenance, caFile);
    }

    /** The same database as a JDBC URL (for the Flyway migration). */
    String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(connect.getHost()).append(':')
                .append(connect.getPort()).append('/').append(connect.getDatabase());
        SslMode ssl = connect.getSslMode();
        if (ssl != null && ssl != SslMode.DISABLE) {
            url.append("?sslmode=").append(ssl.value);
            if (caFile != null) {
                url.append("&sslrootcert=").append(java.net.URLEncoder.encode(caFile.toString(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return url.toString();
    }

    /** For logs: never the password. */
    String describe() {
        SslMode ssl = connect.getSslMode();
        return connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase() + " schema " + schema
                + (ssl == null || ssl == SslMode.DISABLE ? "" : ", TLS " + ssl.value);
    }
}
