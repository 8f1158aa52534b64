package dev.kubegate.identity.aws;

import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.testing.AwsTokens;
import dev.kubegate.testing.FakeSts;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The AWS IAM authenticator against the STS double: verification, caching, dedupe, failures. */
class AwsIamAuthenticatorTest {

    static final String CLUSTER = "kubegate-test";
    static final FakeSts.Identity CI = new FakeSts.Identity("ASIACI", "ci-secret",
            "arn:aws:sts::111122223333:assumed-role/ci-agent/build-42", "111122223333", "AROACI:build-42");
    static final FakeSts.Identity ALICE = new FakeSts.Identity("AKIAALICE", "alice-secret",
            "arn:aws:iam::111122223333:user/alice", "111122223333", "AIDAALICE");
    static final FakeSts.Identity STRANGER = new FakeSts.Identity("AKIASTRANGER", "s-secret",
            "arn:aws:iam::999999999999:user/mallory", "999999999999", "AIDAM");

    static Vertx vertx;
    static FakeSts sts;
    static IdentityMapper mapper;
    AwsIamAuthenticator auth;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        sts = FakeSts.start().add(CI).add(ALICE).add(STRANGER);
        mapper = IdentityMapper.of(IdentityMappings.parse("""
                mappings:
                - identity: arn:aws:iam::111122223333:role/ci-agent
                  kind: aws-iam
                  name: "ci-{{SessionName}}"
                  groups: [agents, ci]
                - identity: arn:aws:iam::111122223333:user/*
                  name: "user-{{AccountID}}"
                  groups: [humans-as-agents]
                """, "test"));
    }

    @AfterAll
    static void stop() {
        sts.close();
        vertx.close();
    }

    @BeforeEach
    void fresh() {
        sts.mode(FakeSts.Mode.OK);
        sts.latency(Duration.ZERO);
        auth = authenticator(Duration.ofSeconds(2));
    }

    static AwsIamAuthenticator authenticator(Duration timeout) {
        return new AwsIamAuthenticator(CLUSTER, new StsHosts(Optional.empty(), Optional.of("127.0.0.1")),
                new StsClient(vertx, Optional.of(URI.create(sts.url())), timeout), mapper, 100, Clock.systemUTC());
    }

    static String token(FakeSts.Identity who) {
        return AwsTokens.mint("eu-west-1", CLUSTER, who, Instant.now());
    }

    Principal authenticate(String token) {
        return auth.authenticate(token).await().atMost(Duration.ofSeconds(10)).orElseThrow();
    }

    AuthenticationException refusal(String token) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> authenticate(token));
        assertThat(t).isInstanceOf(AuthenticationException.class);
        return (AuthenticationException) t;
    }

    @Test
    void anAssumedRoleIsMappedWithItsSessionName() {
        Principal p = authenticate(token(CI));
        assertThat(p.id()).isEqualTo("arn:aws:iam::111122223333:role/ci-agent");
        assertThat(p.kind()).isEqualTo("aws-iam");
        assertThat(p.name()).isEqualTo("ci-build-42");
        assertThat(p.groups()).containsExactly("agents", "ci");
        assertThat(p.impersonatedUser()).isEqualTo("kubegate:ci-build-42");
    }

    @Test
    void anIamUserMatchesAGlob() {
        Principal p = authenticate(token(ALICE));
        assertThat(p.id()).isEqualTo("arn:aws:iam::111122223333:user/alice");
        assertThat(p.name()).isEqualTo("user-111122223333");
    }

    @Test
    void anUnmappedIdentityIsRefusedByName() {
        AuthenticationException e = refusal(token(STRANGER));
        assertThat(e.unavailable()).isFalse();
        assertThat(e).hasMessageContaining("arn:aws:iam::999999999999:user/mallory").hasMessageContaining("not mapped");
    }

    @Test
    void aTokenForAnotherClusterIdFailsAtSts() {
        // An EKS token (signed for the cluster "prod-eks") replayed at kubegate: STS checks the signature
        // over kubegate's own x-k8s-aws-id and refuses it.
        String eks = AwsTokens.mint("eu-west-1", "prod-eks", CI, Instant.now());
        AuthenticationException e = refusal(eks);
        assertThat(e.unavailable()).isFalse();
        assertThat(e).hasMessageContaining("SignatureDoesNotMatch");
    }

    @Test
    void aTamperedTokenFailsAtSts() {
        String url = AwsTokens.decode(token(CI)).replace("X-Amz-Expires=60", "X-Amz-Expires=61");
        assertThat(refusal(AwsTokens.encode(url))).hasMessageContaining("SignatureDoesNotMatch");
    }

    @Test
    void verifiedTokensAreCachedSoStsIsAskedOnce() {
        String t = token(CI);
        int before = sts.calls();
        for (int i = 0; i < 20; i++) {
            assertThat(authenticate(t).name()).isEqualTo("ci-build-42");
        }
        assertThat(sts.calls() - before).isEqualTo(1);
        assertThat(auth.cachedTokens()).isEqualTo(1);
    }

    @Test
    void concurrentFirstUsesShareOneStsCall() {
        sts.latency(Duration.ofMillis(300));
        String t = token(CI);
        int before = sts.calls();
        List<Principal> all = Uni.join().all(IntStream.range(0, 50).mapToObj(i -> auth.authenticate(t)).toList())
                .andFailFast().await().atMost(Duration.ofSeconds(10)).stream().map(Optional::orElseThrow).toList();
        assertThat(all).hasSize(50).allSatisfy(p -> assertThat(p.name()).isEqualTo("ci-build-42"));
        assertThat(sts.calls() - before).isEqualTo(1);
    }

    @Test
    void stsRefusalsAreNotCachedButMappingIsDecidedOnEveryRequest() {
        String eks = AwsTokens.mint("eu-west-1", "prod-eks", CI, Instant.now());
        int before = sts.calls();
        refusal(eks);
        refusal(eks);
        assertThat(sts.calls() - before).isEqualTo(2);

        // A verified but unmapped identity: STS is asked once, the mapping refuses each time.
        String stranger = token(STRANGER);
        before = sts.calls();
        refusal(stranger);
        refusal(stranger);
        assertThat(sts.calls() - before).isEqualTo(1);
    }

    @Test
    void throttlingIsUnavailableNotInvalid() {
        sts.mode(FakeSts.Mode.THROTTLE);
        AuthenticationException e = refusal(token(CI));
        assertThat(e.unavailable()).isTrue();
        assertThat(e).hasMessageContaining("throttling");
        sts.mode(FakeSts.Mode.TOO_MANY_REQUESTS);
        assertThat(refusal(token(ALICE)).unavailable()).isTrue();
        // and once STS recovers, the same token works
        sts.mode(FakeSts.Mode.OK);
        assertThat(authenticate(token(CI)).name()).isEqualTo("ci-build-42");
    }

    @Test
    void serverErrorsAndTimeoutsAreUnavailable() {
        sts.mode(FakeSts.Mode.SERVER_ERROR);
        assertThat(refusal(token(CI)).unavailable()).isTrue();
        sts.mode(FakeSts.Mode.STALL);
        auth = authenticator(Duration.ofMillis(300));
        long start = System.nanoTime();
        AuthenticationException e = refusal(token(CI));
        assertThat(e.unavailable()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void unreachableStsIsUnavailable() throws Exception {
        int port = dev.kubegate.testing.GatewayProcess.freePort();
        auth = new AwsIamAuthenticator(CLUSTER, new StsHosts(Optional.empty(), Optional.empty()),
                new StsClient(vertx, Optional.of(URI.create("http://127.0.0.1:" + port)), Duration.ofSeconds(2)), mapper, 10, Clock.systemUTC());
        assertThat(refusal(token(CI)).unavailable()).isTrue();
    }

    @Test
    void otherCredentialsAreNotClaimed() {
        assertThat(auth.authenticate("eyJhbGciOiJSUzI1NiJ9.e30.sig").await().indefinitely()).isEmpty();
        assertThat(auth.authenticate("static-token").await().indefinitely()).isEmpty();
    }

    @Test
    void locallyInvalidTokensNeverReachSts() {
        int before = sts.calls();
        String expired = AwsTokens.mint("eu-west-1", CLUSTER, CI, Instant.now().minus(Duration.ofMinutes(16)));
        assertThat(refusal(expired)).hasMessageContaining("expired");
        assertThat(refusal("k8s-aws-v1.@@@")).hasMessageContaining("base64url");
        assertThat(sts.calls()).isEqualTo(before);
    }
}
