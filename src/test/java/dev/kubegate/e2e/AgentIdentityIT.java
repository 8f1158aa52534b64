package dev.kubegate.e2e;

import dev.kubegate.testing.AwsTokens;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.FakeOidcIssuer;
import dev.kubegate.testing.FakeSts;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Agents proving who they are with their own credentials, through real kubectl: an AWS IAM token
 * ({@code k8s-aws-v1.}, minted with the AWS SDK v2 presigner as {@code aws eks get-token} does) used
 * directly as kubectl's bearer token, verified against an STS double, mapped to a principal that the
 * upstream sees impersonated. Static development tokens keep working beside it.
 */
class AgentIdentityIT {

    static final String CLUSTER_ID = "kubegate-it";
    static final String STATIC_TOKEN = "static-" + UUID.randomUUID();
    static final FakeSts.Identity CI = new FakeSts.Identity("ASIAITCI", "it-ci-secret",
            "arn:aws:sts::111122223333:assumed-role/ci-agent/build-42", "111122223333", "AROAIT:build-42");
    static final FakeSts.Identity STRANGER = new FakeSts.Identity("AKIAITSTRANGER", "it-s-secret",
            "arn:aws:iam::999999999999:user/mallory", "999999999999", "AIDAM");

    static FakeKubeApiServer cluster;
    static FakeSts sts;
    static FakeOidcIssuer issuer;
    static FakeOidcIssuer.SigningKey issuerKey;
    static GatewayProcess gateway;
    static Path dir;
    static Path mappings;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubegate-identity");
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
        sts = FakeSts.start().add(CI).add(STRANGER);
        issuer = FakeOidcIssuer.start();
        issuerKey = issuer.ec("ec-1");
        issuer.publish(issuerKey);
        mappings = dir.resolve("mappings.yaml");
        Files.writeString(mappings, """
                mappings:
                - identity: arn:aws:iam::111122223333:role/ci-agent
                  kind: aws-iam
                  name: "ci-{{SessionName}}"
                  groups: [agents, ci]
                - identity: "%s#repo:acme/deploy:*"
                  kind: oidc
                  name: github-deploy
                  groups: [deployers]
                - identity: "system:serviceaccount:ci:*"
                  kind: serviceaccount
                  name: "sa-{{ServiceAccount}}"
                  groups: [agents]
                """.formatted(issuer.url()));
        Path statics = dir.resolve("agents.csv");
        Files.writeString(statics, STATIC_TOKEN + ",dev,dev-uid,\"agents\"\n");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.ofEntries(
                Map.entry("kubegate.identity.oidc.issuers.ci.url", issuer.url()),
                Map.entry("kubegate.identity.oidc.issuers.ci.audiences", "kubegate"),
                Map.entry("kubegate.identity.serviceaccount.enabled", "true"),
                Map.entry("kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString()),
                Map.entry("kubegate.identity.aws.cluster-id", CLUSTER_ID),
                Map.entry("kubegate.identity.aws.sts-endpoint", sts.url()),
                Map.entry("kubegate.identity.mappings", mappings.toString()),
                Map.entry("kubegate.identity.mappings-reload-interval", "200ms"),
                Map.entry("kubegate.identity.static.tokens-file", statics.toString())));
        gateway.awaitReady();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (sts != null) sts.close();
        if (issuer != null) issuer.close();
        if (cluster != null) cluster.close();
    }

    static Kubectl kubectlWith(String token) throws Exception {
        return new Kubectl(gateway.kubeconfig(Files.createTempFile(dir, "agent", ".kubeconfig"), token));
    }

    static String awsToken(FakeSts.Identity who, String clusterId) {
        return AwsTokens.mint("us-east-1", clusterId, who, Instant.now());
    }

    static List<RecordedRequest> podLists() {
        return cluster.requests().stream().filter(r -> r.path().equals("/api/v1/namespaces/default/pods")).toList();
    }

    @Test
    void kubectlWithAnAwsTokenActsAsTheMappedPrincipal() throws Exception {
        cluster.clearRequests();
        Kubectl agent = kubectlWith(awsToken(CI, CLUSTER_ID));
        int stsCalls = sts.calls();
        agent.run("-n", "default", "get", "pods").assertSuccess();
        agent.run("-n", "default", "get", "pods", "-o", "name").assertSuccess();
        RecordedRequest seen = podLists().get(0);
        assertThat(seen.header("Impersonate-User")).isEqualTo("kubegate:ci-build-42");
        assertThat(seen.headers().getAll("Impersonate-Group")).containsExactly("agents", "ci");
        assertThat(seen.header("Authorization")).doesNotContain("k8s-aws-v1");
        // the second kubectl call (and its discovery calls) were answered from the cache
        assertThat(sts.calls() - stsCalls).isEqualTo(1);
    }

    @Test
    void anEksTokenForAnotherClusterIsRefused() throws Exception {
        String eks = awsToken(CI, "prod-eks");
        Kubectl.Result r = kubectlWith(eks).run("-n", "default", "get", "pods");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("You must be logged in to the server");
        HttpResponse<String> raw = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer " + eks).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(401);
        assertThat(raw.body()).contains("SignatureDoesNotMatch").contains("another cluster id");
    }

    @Test
    void anExpiredTokenIsRefusedWithItsReason() throws Exception {
        String expired = AwsTokens.mint("us-east-1", CLUSTER_ID, CI, Instant.now().minus(Duration.ofMinutes(20)));
        HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer " + expired).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"kind\":\"Status\"").contains("\"code\":401").contains("expired");
    }

    @Test
    void anUnmappedIdentityIsRefusedUntilTheMappingFileNamesIt() throws Exception {
        String token = awsToken(STRANGER, CLUSTER_ID);
        HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("arn:aws:iam::999999999999:user/mallory").contains("not mapped");

        String before = Files.readString(mappings);
        try {
            Files.writeString(mappings, before + """
                    - identity: "arn:aws:iam::999999999999:user/*"
                      name: contractor
                      groups: [contractors]
                    """);
            Files.setLastModifiedTime(mappings, FileTime.from(Instant.now().plusSeconds(2)));
            Kubectl agent = kubectlWith(token);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> agent.run("-n", "default", "get", "pods").assertSuccess());
            assertThat(podLists()).anySatisfy(req -> assertThat(req.header("Impersonate-User")).isEqualTo("kubegate:contractor"));
        } finally {
            Files.writeString(mappings, before);
            Files.setLastModifiedTime(mappings, FileTime.from(Instant.now().plusSeconds(4)));
        }
    }

    @Test
    void stsThrottlingIsA503() throws Exception {
        sts.mode(FakeSts.Mode.THROTTLE);
        try {
            HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                    .header("Authorization", "Bearer " + awsToken(CI, CLUSTER_ID)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"code\":503").contains("throttling");
        } finally {
            sts.mode(FakeSts.Mode.OK);
        }
    }

    @Test
    void staticDevelopmentTokensStillWorkBesideAwsTokens() throws Exception {
        cluster.clearRequests();
        kubectlWith(STATIC_TOKEN).run("-n", "default", "get", "pods").assertSuccess();
        assertThat(podLists()).anySatisfy(req -> assertThat(req.header("Impersonate-User")).isEqualTo("kubegate:dev"));
    }

    @Test
    void kubectlWithAnOidcTokenActsAsTheMappedPrincipal() throws Exception {
        cluster.clearRequests();
        String jwt = FakeOidcIssuer.sign(issuerKey, new JWTClaimsSet.Builder().issuer(issuer.url()).audience("kubegate")
                .subject("repo:acme/deploy:ref:refs/heads/main").issueTime(new java.util.Date())
                .expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build());
        kubectlWith(jwt).run("-n", "default", "get", "pods").assertSuccess();
        assertThat(podLists()).anySatisfy(req -> {
            assertThat(req.header("Impersonate-User")).isEqualTo("kubegate:github-deploy");
            assertThat(req.headers().getAll("Impersonate-Group")).containsExactly("deployers");
        });
        String wrongAudience = FakeOidcIssuer.sign(issuerKey, new JWTClaimsSet.Builder().issuer(issuer.url()).audience("sts.amazonaws.com")
                .subject("repo:acme/deploy:ref:refs/heads/main").expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build());
        HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer " + wrongAudience).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("audience");
    }

    @Test
    void kubectlWithAServiceAccountTokenActsAsTheMappedPrincipal() throws Exception {
        String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"RS256\"}".getBytes());
        String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"iss\":\"https://kubernetes.default.svc\","
                + "\"sub\":\"system:serviceaccount:ci:builder\",\"kubernetes.io\":{\"namespace\":\"ci\"},\"exp\":"
                + Instant.now().plusSeconds(600).getEpochSecond() + "}").getBytes());
        String token = header + "." + payload + ".c2ln";
        cluster.addServiceAccountToken(token, new FakeKubeApiServer.ServiceAccountToken("ci", "builder", "uid-1", List.of()));
        cluster.clearRequests();
        kubectlWith(token).run("-n", "default", "get", "pods").assertSuccess();
        assertThat(podLists()).anySatisfy(req -> assertThat(req.header("Impersonate-User")).isEqualTo("kubegate:sa-builder"));
        assertThat(cluster.requests()).filteredOn(req -> req.path().endsWith("/tokenreviews")).hasSize(1);
    }
}
