package dev.kubegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real OIDC provider: Keycloak (installed by {@code src/test/sh/keycloak.sh}: the Quarkus
 * distribution from Maven Central, checksummed, cached under ~/.cache/kubegate) in dev mode on
 * 127.0.0.1 with a file database in a fresh directory, and the realm of
 * {@code src/test/resources/keycloak/kubegate-realm.json} imported through the admin API: users
 * {@code ana} (kubegate-approvers), {@code nick} (developers) and {@code alice} (kubegate-approvers),
 * password {@code <name>-password}; clients {@code kubegate} (the page, confidential),
 * {@code kubegate-cli} (public, device flow), {@code short-lived} (2 s tokens) and
 * {@code other-app} (tokens without kubegate's audience). Heavy (tens of seconds on two cores):
 * start one per test class.
 */
public final class Keycloak implements AutoCloseable {

    private static final Path SCRIPT = Path.of("src/test/sh/keycloak.sh");
    private static final Path REALM = Path.of("src/test/resources/keycloak/kubegate-realm.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String REALM_NAME = "kubegate";
    public static final String WEB_SECRET = "kubegate-web-secret";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String adminPassword;

    private Keycloak(Process process, int port, Path log, String adminPassword) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.adminPassword = adminPassword;
    }

    public static Keycloak start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path home = Path.of(script("install"));
        String javaHome = script("java-home");
        int port = GatewayProcess.freePort();
        int management = GatewayProcess.freePort();
        String adminPassword = UUID.randomUUID().toString();
        Path log = dir.resolve("keycloak.log");
        List<String> cmd = List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + management,
                "--hostname=http://127.0.0.1:" + port, "--health-enabled=true",
                "--db=dev-file", "--db-url=jdbc:h2:file:" + dir.toAbsolutePath().resolve("h2/keycloakdb") + ";NON_KEYWORDS=VALUE",
                "--cache=local");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", javaHome);
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        env.put("JAVA_OPTS_APPEND", "-Xms64m -Xmx768m");
        Keycloak kc = new Keycloak(pb.start(), port, log, adminPassword);
        try {
            kc.awaitReady(management);
            kc.importRealm();
        } catch (Exception e) {
            kc.close();
            throw e;
        }
        return kc;
    }

    private static String script(String verb) throws Exception {
        Path out = Files.createTempFile("keycloak-" + verb, ".out");
        Path err = Files.createTempFile("keycloak-" + verb, ".err");
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), verb).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(900, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keycloak.sh " + verb + " failed:\n" + Files.readString(err));
        }
        return Files.readString(out).strip();
    }

    private void awaitReady(int management) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited (" + process.exitValue() + "):\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Keycloak not ready within 600 s:\n" + tail());
    }

    private String adminToken() throws Exception {
        return tokenResponse("master", Map.of("grant_type", "password", "client_id", "admin-cli",
                "username", "admin", "password", adminPassword)).path("access_token").asText();
    }

    private void importRealm() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/admin/realms"))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Files.readString(REALM))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("importing the realm failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /**
     * Lets {@code clientId} send people back to {@code redirectUri} after sign-in and to
     * {@code postLogoutUri} after logout (known only once the test's gateway has its port).
     */
    public void allowRedirects(String clientId, String redirectUri, String postLogoutUri) throws Exception {
        String admin = adminToken();
        String base = url() + "/admin/realms/" + REALM_NAME + "/clients";
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base + "?clientId=" + clientId))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        com.fasterxml.jackson.databind.node.ObjectNode client = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(found.body()).get(0);
        client.putArray("redirectUris").add(redirectUri);
        ((com.fasterxml.jackson.databind.node.ObjectNode) client.with("attributes")).put("post.logout.redirect.uris", postLogoutUri);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/" + client.path("id").asText()))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(client.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("updating client " + clientId + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The realm's issuer, exactly as its tokens' {@code iss}. */
    public String issuer() {
        return url() + "/realms/" + REALM_NAME;
    }

    /** A token response of the realm for {@code user}, through the password grant of {@code client} (a test shortcut). */
    public JsonNode passwordGrant(String client, String user) throws Exception {
        return tokenResponse(REALM_NAME, Map.of("grant_type", "password", "client_id", client, "username", user,
                "password", user + "-password", "scope", "openid"));
    }

    /** The access token {@code user} gets from {@code client}. */
    public String accessToken(String client, String user) throws Exception {
        return passwordGrant(client, user).path("access_token").asText();
    }

    private JsonNode tokenResponse(String realm, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/realms/" + realm + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token request to realm " + realm + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", new ArrayList<>(lines.subList(Math.max(0, lines.size() - 60), lines.size())));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
