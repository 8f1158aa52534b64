package dev.kubegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 server for tests, private to the caller: {@code initdb} into a temporary
 * directory, {@code postgres} on a free 127.0.0.1 port (unix sockets inside the directory too), trust
 * authentication for user {@value #USER}, database {@value #DATABASE}. No root services, no Docker.
 *
 * <pre>{@code
 * try (Postgres pg = Postgres.start()) {
 *     ... -Dkubegate.store=postgres -Dkubegate.postgres.url=pg.reactiveUrl() ...
 *     pg.stop(); ...; pg.restart();   // a database outage, then the same data again
 * }
 * }</pre>
 *
 * PostgreSQL refuses to run as root: when the tests run as root, the server runs as the
 * {@code postgres} (else {@code nobody}) user through {@code setpriv}, which execs in place, so
 * {@link #kill()} reaches the postmaster itself.
 * {@code Postgres.start()} makes a new server; {@link #restart()} starts an existing one again.
 */
public final class Postgres implements AutoCloseable {

    public static final Path BIN = Path.of(System.getProperty("kubegate.it.postgres-bin", "/usr/lib/postgresql/15/bin"));
    public static final String USER = "kubegate";
    public static final String DATABASE = "kubegate";
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final int port;
    private final List<String> runAs;
    private final boolean tls;
    private Process process;

    private Postgres(Path dir, int port, List<String> runAs, boolean tls) {
        this.dir = dir;
        this.port = port;
        this.runAs = runAs;
        this.tls = tls;
    }

    /** True when the PostgreSQL binaries are installed (`.ci/run` installs them). */
    public static boolean installed() {
        return Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("initdb"));
    }

    /** Creates a cluster in a fresh temporary directory, starts it and creates the database. */
    public static Postgres start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * As {@link #start()}, with TLS on (clients may still connect in plain text): the server's
     * certificate, for 127.0.0.1 and localhost, is signed by the CA in {@link #caFile()}.
     */
    public static Postgres startWithTls() throws IOException, InterruptedException {
        return start(true);
    }

    private static Postgres start(boolean tls) throws IOException, InterruptedException {
        // Every test on PostgreSQL: a loud skip on a bare machine, a failure under .ci/run.
        Prerequisites.require(installed(), "PostgreSQL 15 binaries (" + BIN + "; Debian: postgresql-15)");
        Path dir = Files.createTempDirectory("kubegate-pg-");
        List<String> runAs = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = userExists("postgres") ? "postgres" : "nobody";
            runAs = List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--");
            run(List.of("chown", user + ":", dir.toString()), dir);
        }
        Postgres pg = new Postgres(dir, freePort(), runAs, tls);
        try {
            Files.createDirectories(pg.sockets());
            if (tls) {
                pg.makeCertificates();
            }
            if (!runAs.isEmpty()) {
                String user = runAs.get(1).substring("--reuid=".length());
                run(List.of("chown", "-R", user + ":", pg.sockets().toString()), dir);
            }
            pg.runAsServerUser(List.of(BIN.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
            pg.launch();
            pg.psql("postgres", "CREATE DATABASE " + DATABASE);
            Runtime.getRuntime().addShutdownHook(new Thread(pg::destroyQuietly));
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String database() {
        return DATABASE;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/kubegate} */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /** {@code postgresql://127.0.0.1:<port>/kubegate} (what kubegate.postgres.url takes) */
    public String reactiveUrl() {
        return "postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /**
     * Starts the server again on the same data (after {@link #stop()} or {@link #kill()}; a running
     * server is stopped first) and waits until it accepts connections.
     */
    public synchronized void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<String> cmd = new ArrayList<>(runAs);
            cmd.addAll(List.of(BIN.resolve("postgres").toString(), "-D", data().toString(), "-p", Integer.toString(port),
                    "-k", sockets().toString(), "-c", "listen_addresses=" + HOST, "-c", "fsync=off",
                    "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=60"));
            if (tls) {
                cmd.addAll(List.of("-c", "ssl=on", "-c", "ssl_cert_file=" + sockets().resolve("server.crt"),
                        "-c", "ssl_key_file=" + sockets().resolve("server.key")));
            }
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
            if (awaitReady(deadline)) {
                return;
            }
            if (process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("PostgreSQL did not start on port " + port + ": " + logTail());
            }
            // Exited: after kill(), orphaned backends may still hold shared memory for a moment.
            Thread.sleep(200);
        }
    }

    /** Fast shutdown (SIGINT): clients are disconnected, the server stops cleanly. */
    public synchronized void stop() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        run(List.of("kill", "-INT", Long.toString(process.pid())), dir);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** SIGKILL to the postmaster: a crash. {@link #restart()} recovers the data. */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The CA that signed the server certificate ({@link #startWithTls()}); null without TLS. */
    public Path caFile() {
        return tls ? dir.resolve("ca.crt") : null;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Runs SQL with psql against {@code database}; answers psql's unaligned, tuples-only output. */
    public String psql(String database, String sql) throws IOException, InterruptedException {
        return run(List.of(BIN.resolve("psql").toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", HOST, "-p", Integer.toString(port), "-U", USER, "-d", database, "-c", sql), dir);
    }

    public String psql(String sql) throws IOException, InterruptedException {
        return psql(DATABASE, sql);
    }

    /** The server's log so far (for failure messages). */
    public String logTail() {
        try {
            String all = Files.readString(log(), StandardCharsets.UTF_8);
            return all.length() > 4000 ? all.substring(all.length() - 4000) : all;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        try {
            stop();
        } catch (IOException | InterruptedException e) {
            destroyQuietly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A throwaway CA and a server certificate for 127.0.0.1/localhost; the key is readable by the server only. */
    private void makeCertificates() throws IOException, InterruptedException {
        String ec = "ec";
        List<String> key = List.of("-newkey", ec, "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes");
        List<String> ca = new ArrayList<>(List.of("openssl", "req", "-x509"));
        ca.addAll(key);
        ca.addAll(List.of("-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=kubegate test CA"));
        run(ca, dir);
        Path run = sockets();
        List<String> csr = new ArrayList<>(List.of("openssl", "req"));
        csr.addAll(key);
        csr.addAll(List.of("-keyout", run.resolve("server.key").toString(), "-out", "server.csr", "-subj", "/CN=127.0.0.1"));
        run(csr, dir);
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(List.of("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", run.resolve("server.crt").toString(), "-days", "2", "-extfile", "san.ext"), dir);
        run(List.of("chmod", "600", run.resolve("server.key").toString()), dir);
    }

    private boolean awaitReady(long deadline) throws IOException, InterruptedException {
        while (System.nanoTime() < deadline && process.isAlive()) {
            Process check = new ProcessBuilder(BIN.resolve("pg_isready").toString(), "-q", "-h", HOST,
                    "-p", Integer.toString(port), "-U", USER, "-d", "postgres").redirectErrorStream(true).start();
            if (check.waitFor() == 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private void destroyQuietly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path sockets() {
        return dir.resolve("run");
    }

    private Path log() {
        return dir.resolve("postgres.log");
    }

    private void runAsServerUser(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(runAs);
        cmd.addAll(command);
        run(cmd, dir);
    }

    private static String run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out.strip();
    }

    private static boolean userExists(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
