package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.upstream.credentials.EksToken;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code kubegate login}: a kubectl exec credential plugin. Proves the agent's identity to kubegate
 * (an AWS {@code k8s-aws-v1.} token minted from the default credential chain, or a token from a
 * file or the command line), exchanges it for a session at {@code POST /kubegate/v1/sessions} and
 * prints the {@code ExecCredential} kubectl reads. The session token is cached (mode 600) under
 * {@code ~/.kube/cache/kubegate/} and handed out again while it has time left and kubegate still
 * accepts it (one {@code GET /kubegate/v1/sessions/current}), so kubectl does not open a session per
 * invocation; a revoked or expiring token makes a new login. kubectl runs the plugin again when a
 * token expires or is refused with 401.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Exchange an agent credential for a kubegate session token (kubectl exec credential plugin).")
public class LoginCommand implements Callable<Integer> {

    static final String EXEC_API = "client.authentication.k8s.io/v1";

    @Option(names = "--server", description = "kubegate URL; default: the cluster server kubectl passes in KUBERNETES_EXEC_INFO.")
    String server;

    @Option(names = "--ca-file", description = "CA bundle (PEM) that signed kubegate's certificate; default: the cluster CA kubectl passes (provideClusterInfo), else the system trust store.")
    Path caFile;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Credential credential;

    static class Credential {
        @Option(names = "--cluster-id", description = "Prove an AWS identity: a k8s-aws-v1 token for this kubegate cluster id (kubegate.identity.aws.cluster-id), signed with the default AWS credential chain.")
        String clusterId;

        @Option(names = "--token-file", description = "Read the agent credential (service-account or OIDC token) from this file at every login.")
        Path tokenFile;

        @Option(names = "--token", description = "The agent credential itself (static development tokens).")
        String token;
    }

    @Option(names = "--region", description = "AWS region for --cluster-id (default: AWS_REGION / the SDK's region chain).")
    String region;

    @Option(names = "--sts-endpoint", description = "STS endpoint the AWS token names (default: https://sts.<region>.amazonaws.com).")
    URI stsEndpoint;

    @Option(names = "--ttl", description = "Session lifetime to ask for, e.g. 15m (capped by the server's kubegate.session.max-ttl).")
    String ttl;

    @Option(names = {"-l", "--label"}, description = "Session label key=value (repeatable), e.g. task=JIRA-123; visible to policy and audit.")
    Map<String, String> labels = new TreeMap<>();

    @Option(names = "--justification", description = "Why this session is needed; recorded in the audit trail.")
    String justification;

    @Option(names = "--cache-dir", description = "Where session tokens are cached (default: ~/.kube/cache/kubegate).")
    Path cacheDir;

    @Option(names = "--no-cache", description = "Always start a new session.")
    boolean noCache;

    @Override
    public Integer call() {
        try {
            JsonNode execInfo = execInfo();
            String url = server != null ? server : execInfo.path("spec").path("cluster").path("server").asText(null);
            if (url == null || url.isEmpty()) {
                return fail("no kubegate server: pass --server, or set provideClusterInfo: true in the kubeconfig's exec section");
            }
            byte[] ca = caFile != null ? Files.readAllBytes(caFile) : clusterCa(execInfo);
            String apiVersion = execInfo.path("apiVersion").asText(EXEC_API);
            GatewayClient client = new GatewayClient(url, ca);

            Path cache = noCache ? null : cacheFile(url);
            if (cache != null) {
                JsonNode cached = reusable(client, cache);
                if (cached != null) {
                    print(apiVersion, cached);
                    return 0;
                }
            }
            String credential = GatewayClient.bearer(agentCredential());
            ObjectNode request = requestBody();
            JsonNode issued = client.call(api -> api.issueSession(credential, request));
            JsonNode status = issued.path("status");
            if (!status.hasNonNull("token") || !status.hasNonNull("expirationTimestamp")) {
                return fail("kubegate answered without a token");
            }
            if (cache != null) {
                store(cache, status);
            }
            print(apiVersion, status);
            return 0;
        } catch (GatewayClient.Failure e) {
            return fail(e.getMessage());
        } catch (Exception e) {
            return fail(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The credential proving who the agent is, fresh for every login. */
    private String agentCredential() throws IOException {
        if (credential.token != null) {
            return credential.token;
        }
        if (credential.tokenFile != null) {
            String t = Files.readString(credential.tokenFile, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) throw new IOException(credential.tokenFile + " is empty");
            return t;
        }
        Region r = region != null ? Region.of(region) : new DefaultAwsRegionProviderChain().getRegion();
        try (DefaultCredentialsProvider aws = DefaultCredentialsProvider.builder().build()) {
            return EksToken.mint(credential.clusterId, r, stsEndpoint, aws.resolveCredentials(), Instant.now());
        }
    }

    /** The optional session request (ttl, labels, justification), or null for none. */
    private ObjectNode requestBody() {
        ObjectNode body = GatewayClient.JSON.createObjectNode();
        if (ttl != null) body.put("ttl", ttl);
        if (!labels.isEmpty()) {
            ObjectNode l = body.putObject("labels");
            labels.forEach(l::put);
        }
        if (justification != null) body.put("justification", justification);
        return body.isEmpty() ? null : body;
    }

    /** A cached token with time left that kubegate still accepts, or null. */
    private JsonNode reusable(GatewayClient client, Path cache) {
        try {
            if (!Files.isRegularFile(cache)) return null;
            JsonNode status = GatewayClient.JSON.readTree(Files.readAllBytes(cache));
            Instant expires = Instant.parse(status.path("expirationTimestamp").asText());
            Instant issued = status.hasNonNull("issuedAt") ? Instant.parse(status.get("issuedAt").asText()) : expires.minusSeconds(60);
            // Hand it out only with a fifth of its life (at most a minute) left: kubectl must not start with a token about to lapse.
            Duration margin = Duration.between(issued, expires).dividedBy(5);
            if (margin.compareTo(Duration.ofMinutes(1)) > 0) margin = Duration.ofMinutes(1);
            if (!Instant.now().plus(margin).isBefore(expires)) return null;
            String token = GatewayClient.bearer(status.path("token").asText());
            client.call(api -> api.currentSession(token));
            return status;
        } catch (Exception e) {
            return null; // revoked, expired, unreadable: log in again
        }
    }

    private void store(Path cache, JsonNode status) throws IOException {
        ObjectNode entry = GatewayClient.JSON.createObjectNode();
        entry.put("token", status.get("token").asText());
        entry.put("expirationTimestamp", status.get("expirationTimestamp").asText());
        entry.put("issuedAt", Instant.now().toString());
        PrivateFiles.write(cache, GatewayClient.JSON.writeValueAsString(entry));
    }

    /** One cache file per server and credential source (and session options): never the credential itself. */
    private Path cacheFile(String url) throws Exception {
        String source = credential.token != null ? "token:" + HexFormat.of().formatHex(sha256(credential.token))
                : credential.tokenFile != null ? "file:" + credential.tokenFile.toAbsolutePath()
                : "aws:" + credential.clusterId + ":" + region + ":" + stsEndpoint + ":" + System.getenv("AWS_PROFILE");
        String key = url + "\n" + source + "\n" + ttl + "\n" + labels + "\n" + justification;
        // $HOME as kubectl reads it (Java's user.home comes from the password database instead).
        String home = System.getenv("HOME") != null && !System.getenv("HOME").isBlank() ? System.getenv("HOME") : System.getProperty("user.home");
        Path dir = cacheDir != null ? cacheDir : Path.of(home, ".kube", "cache", "kubegate");
        return dir.resolve(HexFormat.of().formatHex(sha256(key)).substring(0, 32) + ".json");
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode execInfo() {
        String env = System.getenv("KUBERNETES_EXEC_INFO");
        if (env == null || env.isBlank()) {
            return GatewayClient.JSON.createObjectNode();
        }
        try {
            return GatewayClient.JSON.readTree(env);
        } catch (IOException e) {
            return GatewayClient.JSON.createObjectNode();
        }
    }

    private static byte[] clusterCa(JsonNode execInfo) {
        String data = execInfo.path("spec").path("cluster").path("certificate-authority-data").asText("");
        return data.isEmpty() ? null : Base64.getDecoder().decode(data);
    }

    private static void print(String apiVersion, JsonNode status) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", apiVersion);
        out.put("kind", "ExecCredential");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("token", status.get("token").asText());
        s.put("expirationTimestamp", status.get("expirationTimestamp").asText());
        out.put("status", s);
        System.out.println(GatewayClient.JSON.writeValueAsString(out));
        System.out.flush();
    }

    private static int fail(String message) {
        System.err.println("kubegate login: " + message);
        return 1;
    }
}
