package dev.kubegate.testing;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.specification.RequestSpecification;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * kubegate as users run it: the packaged application ({@code java -jar quarkus-run.jar serve}) in its
 * own process, configured with {@code -Dkubegate.*} properties, on a free port, with its own data
 * directory. Tests talk to it over HTTPS and through the real kubectl.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int port;

    private GatewayProcess(Process process, Path dataDir, Path log, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /** Starts kubegate with {@code settings} (property → value) and waits until it listens. */
    /**
     * Settings of one replica among several sharing {@code pg}: the test double as the cluster, the
     * agents' and admins' token files, the postgres state store with a short timeout (fail closed fast).
     * Mutable, so a test can add its own.
     */
    public static Map<String, String> replicaSettings(FakeKubeApiServer cluster, Path dir, Postgres pg,
                                                      Path agents, Path admins) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString());
        settings.put("kubegate.identity.static.tokens-file", agents.toString());
        settings.put("kubegate.admin.tokens-file", admins.toString());
        settings.put("kubegate.store", "postgres");
        settings.put("kubegate.postgres.url", pg.reactiveUrl());
        settings.put("kubegate.postgres.timeout", "2s");
        return settings;
    }

    public static GatewayProcess start(Path workDir, Map<String, String> settings) throws Exception {
        return start(workDir, settings, freePort());
    }

    /** As {@link #start(Path, Map)} on a given port (a replica restarted behind a load balancer keeps its address). */
    public static GatewayProcess start(Path workDir, Map<String, String> settings, int port) throws Exception {
        Files.createDirectories(workDir);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.ssl-port", Integer.toString(port));
        all.put("kubegate.data-dir", workDir.resolve("data").toString());
        all.put("quarkus.log.console.json.enabled", "false");
        // No load balancer to drain in tests: stop at once (ShutdownIT sets its own).
        all.put("kubegate.shutdown.drain-delay", "0s");
        all.put("kubegate.shutdown.timeout", "10s");
        all.putAll(settings);
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
        all.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", app().toString(), "serve"));
        Path log = workDir.resolve("kubegate.log");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(p, workDir.resolve("data"), log, port);
        g.awaitListening();
        return g;
    }

    public static Path app() {
        String app = System.getProperty("kubegate.it.app", "target/quarkus-app/quarkus-run.jar");
        Path path = Path.of(app);
        if (!Files.exists(path)) {
            throw new IllegalStateException("the packaged application is missing at " + path + ": run ./mvnw verify (package phase)");
        }
        return path;
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a kubegate CLI command (not serve) with this gateway's data dir; returns stdout. */
    public String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dkubegate.data-dir=" + dataDir,
                "-Dquarkus.http.ssl-port=" + port, "-jar", app().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kubegate " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Starts a kubegate CLI command (not serve) with this gateway's data dir, its stdout and stderr going to the given files. */
    public Process startCli(Path stdout, Path stderr, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Dkubegate.data-dir=" + dataDir,
                "-Dquarkus.http.ssl-port=" + port, "-jar", app().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** A kubeconfig for an agent presenting {@code token}, written by {@code kubegate kubeconfig}. */
    public Path kubeconfig(Path file, String token) throws Exception {
        cli("kubeconfig", "--token", token, "--output-file", file.toString());
        return file;
    }

    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path caCert() {
        return dataDir.resolve("tls/ca.crt");
    }

    public Path log() {
        return log;
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * A REST Assured request to this gateway (admin API and raw calls), with {@code bearer} as
     * {@code Authorization} when not null. The body is sent as given: no charset is added to its
     * Content-Type and the path is not re-encoded.
     */
    public RequestSpecification api(String bearer) {
        // config() first: it replaces the whole configuration, relaxed HTTPS validation included.
        RequestSpecification r = RestAssured.given().config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .baseUri(url()).relaxedHTTPSValidation().urlEncodingEnabled(false);
        return bearer == null ? r : r.header("Authorization", "Bearer " + bearer);
    }

    /** A JDK HTTP client trusting this gateway's CA (for raw calls next to kubectl). */
    public HttpClient httpClient() throws Exception {
        return HttpClient.newBuilder().sslContext(sslContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** TLS trusting this gateway's CA (for clients built elsewhere, such as an MCP client). */
    public SSLContext sslContext() throws Exception {
        return trusting(caCert());
    }

    /** TLS trusting the CA certificate in {@code ca} (PEM). */
    public static SSLContext trusting(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            ks.setCertificateEntry("kubegate", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /**
     * Gives the replica that will start in {@code workDir} the serving certificate (and CA) of
     * {@code from}, as replicas behind one DNS name have: a client trusts each.
     */
    public static void shareServingCertificate(GatewayProcess from, Path workDir) throws IOException {
        Path tls = workDir.resolve("data/tls");
        Files.createDirectories(tls);
        try (java.util.stream.Stream<Path> files = Files.list(from.caCert().getParent())) {
            for (Path f : files.toList()) {
                Files.copy(f, tls.resolve(f.getFileName()));
            }
        }
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kubegate exited with " + process.exitValue() + ":\n" + logText());
            }
            if (Files.exists(caCert())) {
                try {
                    HttpResponse<String> r = httpClient().send(HttpRequest.newBuilder(URI.create(url() + "/q/health/live")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("kubegate did not start within 60 s:\n" + logText());
    }

    /** Waits until readiness reports UP (the upstream answered /readyz). */
    public void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = httpClient().send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            last = r.body();
            Thread.sleep(200);
        }
        throw new IllegalStateException("kubegate not ready: " + last);
    }

    /** SIGKILL: the gateway gets no chance to flush, checkpoint or shut down. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Sends SIGTERM, as Kubernetes does to a pod it stops, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; its exit code, or -1 if it still runs after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
