package dev.kubegate.identity.serviceaccount;

import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.Upstreams;
import dev.kubegate.upstream.UpstreamClient;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Service-account tokens reviewed by the API server double's TokenReview. */
class ServiceAccountAuthenticatorTest {

    static Vertx vertx;
    static FakeKubeApiServer cluster;
    static FakeKubeApiServer refusing;
    static UpstreamClient upstream;
    static UpstreamClient refusingUpstream;
    static IdentityMapper mapper;

    @BeforeAll
    static void start(@TempDir Path dir) {
        vertx = Vertx.vertx();
        cluster = FakeKubeApiServer.start();
        refusing = FakeKubeApiServer.start(FakeKubeApiServer.Options.builder()
                .deny(a -> "tokenreviews".equals(a.resource())).build());
        upstream = client(cluster, dir.resolve("a.kubeconfig"));
        refusingUpstream = client(refusing, dir.resolve("b.kubeconfig"));
        mapper = IdentityMapper.of(IdentityMappings.parse("""
                mappings:
                - identity: "system:serviceaccount:ci:*"
                  kind: serviceaccount
                  name: "sa-{{Namespace}}-{{ServiceAccount}}"
                  groups: [agents]
                  identityGroups: true
                """, "t"));
    }

    @AfterAll
    static void stop() {
        upstream.close();
        refusingUpstream.close();
        cluster.close();
        refusing.close();
        vertx.close();
    }

    static UpstreamClient client(FakeKubeApiServer api, Path kubeconfig) {
        return Upstreams.client(vertx, api.writeKubeconfig(kubeconfig));
    }

    /** A JWT-shaped token with service-account claims (the double does not check signatures; the real API server would). */
    static String saToken(String ns, String name) {
        String header = b64("{\"alg\":\"RS256\",\"kid\":\"k\"}");
        String payload = b64("{\"iss\":\"https://kubernetes.default.svc\",\"sub\":\"system:serviceaccount:" + ns + ":" + name
                + "\",\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond() + ",\"kubernetes.io\":{\"namespace\":\"" + ns
                + "\",\"serviceaccount\":{\"name\":\"" + name + "\"}},\"jti\":\"" + UUID.randomUUID() + "\"}");
        return header + "." + payload + "." + b64("signature");
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static ServiceAccountAuthenticator authenticator(UpstreamClient client, List<String> audiences) {
        return new ServiceAccountAuthenticator(vertx, client, audiences, mapper, Duration.ofMinutes(1), 100, Duration.ofSeconds(10),
                Clock.systemUTC());
    }

    static long reviews(FakeKubeApiServer api) {
        return api.requests().stream().filter(r -> r.path().equals("/apis/authentication.k8s.io/v1/tokenreviews")).count();
    }

    static Throwable refusal(ServiceAccountAuthenticator a, String token) {
        return catchThrowable(() -> a.authenticate(token).await().atMost(Duration.ofSeconds(15)));
    }

    @Test
    void aReviewedTokenIsMappedAndCached() {
        String token = saToken("ci", "builder");
        cluster.addServiceAccountToken(token, new FakeKubeApiServer.ServiceAccountToken("ci", "builder", "uid-1", List.of()));
        ServiceAccountAuthenticator auth = authenticator(upstream, List.of());
        long before = reviews(cluster);
        Principal p = auth.authenticate(token).await().atMost(Duration.ofSeconds(15)).orElseThrow();
        assertThat(p.id()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(p.kind()).isEqualTo("serviceaccount");
        assertThat(p.name()).isEqualTo("sa-ci-builder");
        // identityGroups: true, but the review's system: groups are never impersonated (ReservedGroups)
        assertThat(p.groups()).containsExactly("agents");
        auth.authenticate(token).await().atMost(Duration.ofSeconds(15));
        assertThat(reviews(cluster) - before).isEqualTo(1);
        // the review went with the gateway's own identity, not impersonating anyone
        assertThat(cluster.requests()).filteredOn(r -> r.path().endsWith("/tokenreviews"))
                .allSatisfy(r -> assertThat(r.header("Impersonate-User")).isNull());
    }

    @Test
    void unknownTokensAreRefused() {
        Throwable t = refusal(authenticator(upstream, List.of()), saToken("ci", "ghost"));
        assertThat(t).isInstanceOf(AuthenticationException.class).hasMessageContaining("token lookup failed");
        assertThat(((AuthenticationException) t).unavailable()).isFalse();
    }

    @Test
    void audiencesAreChecked() {
        String token = saToken("ci", "deployer");
        cluster.addServiceAccountToken(token, new FakeKubeApiServer.ServiceAccountToken("ci", "deployer", "uid-2", List.of("vault")));
        assertThat(refusal(authenticator(upstream, List.of("kubegate")), token)).hasMessageContaining("audiences");
        assertThat(authenticator(upstream, List.of("vault")).authenticate(token).await().atMost(Duration.ofSeconds(15)))
                .map(Principal::name).contains("sa-ci-deployer");
    }

    @Test
    void unmappedServiceAccountsAreRefusedByName() {
        String token = saToken("default", "default");
        cluster.addServiceAccountToken(token, new FakeKubeApiServer.ServiceAccountToken("default", "default", "uid-3", List.of()));
        assertThat(refusal(authenticator(upstream, List.of()), token))
                .hasMessageContaining("system:serviceaccount:default:default").hasMessageContaining("not mapped");
    }

    @Test
    void otherTokensAreNotClaimed() {
        ServiceAccountAuthenticator auth = authenticator(upstream, List.of());
        long before = reviews(cluster);
        String oidc = b64("{\"alg\":\"RS256\"}") + "." + b64("{\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"x\"}")
                + "." + b64("sig");
        assertThat(auth.authenticate(oidc).await().indefinitely()).isEmpty();
        assertThat(auth.authenticate("k8s-aws-v1.abc").await().indefinitely()).isEmpty();
        assertThat(auth.authenticate("static-token").await().indefinitely()).isEmpty();
        assertThat(reviews(cluster)).isEqualTo(before);
    }

    @Test
    void aGatewayNotAllowedToReviewIsUnavailable() {
        Throwable t = refusal(authenticator(refusingUpstream, List.of()), saToken("ci", "builder"));
        assertThat(t).isInstanceOf(AuthenticationException.class).hasMessageContaining("tokenreviews");
        assertThat(((AuthenticationException) t).unavailable()).isTrue();
    }
}
