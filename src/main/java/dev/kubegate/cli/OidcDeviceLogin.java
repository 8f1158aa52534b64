package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code --oidc}: signs the person in at the gateway's OIDC issuer with the device-authorization
 * grant (RFC 8628) — the issuer and the CLI's public client come from {@code GET /kubegate/v1/oidc};
 * the person opens the printed address in any browser, signs in, and the command goes on. The access
 * token (and refresh token) are cached, mode 600, under {@code ~/.kube/cache/kubegate/}, used while
 * more than a minute of them is left, then refreshed; a refused refresh starts a new sign-in.
 */
final class OidcDeviceLogin {

    static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final PrintStream tell;

    OidcDeviceLogin(PrintStream tell) {
        this.tell = tell;
    }

    /** An access token for {@code client}'s server: cached, refreshed, or from a new device sign-in. */
    String token(GatewayClient client, String server, Path cacheDir) throws Exception {
        JsonNode settings = client.call(KubegateApi::oidcSettings);
        String issuer = settings.path("issuer").asText();
        String clientId = settings.path("clientId").asText();
        URI device = endpoint(settings, "deviceAuthorizationEndpoint");
        URI tokens = endpoint(settings, "tokenEndpoint");
        String scope = String.join(" ", GatewayClient.JSON.convertValue(settings.path("scopes"), String[].class));
        Path cache = cacheDir.resolve("oidc-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((server + "\n" + issuer + "\n" + clientId).getBytes(StandardCharsets.UTF_8))).substring(0, 32) + ".json");
        JsonNode cached = read(cache);
        if (cached != null && Instant.now().plusSeconds(60).isBefore(Instant.parse(cached.path("expiresAt").asText("1970-01-01T00:00:00Z")))) {
            return cached.path("accessToken").asText();
        }
        JsonNode fresh = null;
        if (cached != null && !cached.path("refreshToken").asText("").isEmpty()) {
            HttpResponse<String> r = post(tokens, Map.of("grant_type", "refresh_token", "client_id", clientId,
                    "refresh_token", cached.path("refreshToken").asText()));
            if (r.statusCode() == 200) {
                fresh = GatewayClient.JSON.readTree(r.body());
            }
        }
        if (fresh == null) {
            fresh = deviceSignIn(device, tokens, clientId, scope, issuer);
        }
        store(cache, fresh);
        return fresh.path("access_token").asText();
    }

    private JsonNode deviceSignIn(URI device, URI tokens, String clientId, String scope, String issuer) throws Exception {
        HttpResponse<String> start = post(device, Map.of("client_id", clientId, "scope", scope));
        JsonNode d = GatewayClient.JSON.readTree(start.body());
        if (start.statusCode() != 200 || !d.hasNonNull("device_code")) {
            throw new IllegalStateException("the issuer " + issuer + " refused to start a device sign-in: "
                    + d.path("error_description").asText(d.path("error").asText("HTTP " + start.statusCode())));
        }
        String complete = d.path("verification_uri_complete").asText("");
        tell.println("To sign in to " + issuer + ", open " + (complete.isEmpty() ? d.path("verification_uri").asText() : complete)
                + " in a browser" + (complete.isEmpty() ? " and enter the code " : " and check that it shows the code ")
                + d.path("user_code").asText());
        tell.flush();
        long interval = Math.max(1, d.path("interval").asLong(5));
        Instant until = Instant.now().plusSeconds(d.path("expires_in").asLong(600));
        while (Instant.now().isBefore(until)) {
            Thread.sleep(interval * 1000);
            HttpResponse<String> r = post(tokens, Map.of("grant_type", DEVICE_GRANT, "device_code", d.path("device_code").asText(),
                    "client_id", clientId));
            JsonNode t = GatewayClient.JSON.readTree(r.body());
            if (r.statusCode() == 200 && t.hasNonNull("access_token")) {
                return t;
            }
            switch (t.path("error").asText()) {
                case "authorization_pending" -> { }
                case "slow_down" -> interval += 5; // RFC 8628 section 3.5
                case "access_denied" -> throw new IllegalStateException("the sign-in was declined");
                case "expired_token" -> throw new IllegalStateException("the sign-in code expired before it was used; run the command again");
                default -> throw new IllegalStateException("the issuer refused the sign-in: "
                        + t.path("error_description").asText(t.path("error").asText("HTTP " + r.statusCode())));
            }
        }
        throw new IllegalStateException("the sign-in code expired before it was used; run the command again");
    }

    private HttpResponse<String> post(URI uri, Map<String, String> form) throws IOException, InterruptedException {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The issuer's endpoint; https only (plain http to this machine, for a local issuer). */
    private static URI endpoint(JsonNode settings, String field) {
        URI u = URI.create(settings.path(field).asText());
        String host = u.getHost() == null ? "" : u.getHost();
        boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (!"https".equals(String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT)) && !("http".equals(u.getScheme()) && local)) {
            throw new IllegalStateException("the issuer's " + field + " " + u + " is not https: refusing to send credentials there");
        }
        return u;
    }

    private static JsonNode read(Path cache) {
        try {
            return Files.isReadable(cache) ? GatewayClient.JSON.readTree(Files.readString(cache)) : null;
        } catch (IOException e) {
            return null; // unreadable: sign in again
        }
    }

    private static void store(Path cache, JsonNode t) throws IOException {
        ObjectNode entry = GatewayClient.JSON.createObjectNode();
        entry.put("accessToken", t.path("access_token").asText());
        entry.put("expiresAt", Instant.now().plusSeconds(t.path("expires_in").asLong(60)).toString());
        if (t.hasNonNull("refresh_token")) {
            entry.put("refreshToken", t.path("refresh_token").asText());
        }
        PrivateFiles.write(cache, GatewayClient.JSON.writeValueAsString(entry));
    }

    /** The cache directory kubectl users know: $HOME/.kube/cache/kubegate. */
    static Path defaultCacheDir() {
        String home = System.getenv("HOME") != null && !System.getenv("HOME").isBlank() ? System.getenv("HOME") : System.getProperty("user.home");
        return Path.of(home, ".kube", "cache", "kubegate");
    }
}
