package dev.kubegate.identity.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.testing.FakeOidcIssuer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** OIDC JWTs against a local issuer with keys generated here: every claim rule and hostile token. */
class OidcAuthenticatorTest {

    static Vertx vertx;
    FakeOidcIssuer issuer;
    FakeOidcIssuer.SigningKey rsa;
    OidcAuthenticator auth;
    IdentityMapper mapper;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close();
    }

    @BeforeEach
    void start() throws Exception {
        issuer = FakeOidcIssuer.start();
        rsa = issuer.rsa("rsa-1");
        issuer.publish(rsa);
        mapper = IdentityMapper.of(IdentityMappings.parse("""
                mappings:
                - identity: "%s#repo:acme/deploy:*"
                  kind: oidc
                  name: github-deploy
                  groups: [deployers]
                  identityGroups: true
                """.formatted(issuer.url()), "t"));
        auth = authenticator(Duration.ofSeconds(30));
    }

    OidcAuthenticator authenticator(Duration minRefresh) {
        return new OidcAuthenticator(vertx, List.of(new OidcAuthenticator.Issuer(issuer.url(), List.of("kubegate"), "sub",
                Optional.of("groups"), Optional.empty())),
                new OidcAuthenticator.Options(Duration.ofSeconds(30), minRefresh, Duration.ofMinutes(15), Duration.ofSeconds(10), 100),
                mapper, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        auth.close();
        issuer.close();
    }

    JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(issuer.url()).audience("kubegate").subject("repo:acme/deploy:ref:refs/heads/main")
                .issueTime(Date.from(now.minusSeconds(5))).notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plusSeconds(300))).claim("groups", List.of("acme/deployers"));
    }

    Principal authenticate(String token) {
        return auth.authenticate(token).await().atMost(Duration.ofSeconds(10)).orElseThrow();
    }

    AuthenticationException refusal(String token) {
        Throwable t = catchThrowable(() -> authenticate(token));
        assertThat(t).isInstanceOf(AuthenticationException.class);
        return (AuthenticationException) t;
    }

    @Test
    void aValidTokenIsMapped() throws Exception {
        Principal p = authenticate(FakeOidcIssuer.sign(rsa, claims().build()));
        assertThat(p.kind()).isEqualTo("oidc");
        assertThat(p.id()).isEqualTo(issuer.url() + "#repo:acme/deploy:ref:refs/heads/main");
        assertThat(p.name()).isEqualTo("github-deploy");
        assertThat(p.groups()).containsExactly("deployers", "acme/deployers");
    }

    @Test
    void ecAndEdDsaKeysWork() throws Exception {
        FakeOidcIssuer.SigningKey ec = issuer.ec("ec-1");
        FakeOidcIssuer.SigningKey ed = issuer.ed25519("ed-1");
        issuer.publish(ec).publish(ed);
        assertThat(authenticate(FakeOidcIssuer.sign(ec, claims().build())).name()).isEqualTo("github-deploy");
        assertThat(authenticate(FakeOidcIssuer.sign(ed, claims().build())).name()).isEqualTo("github-deploy");
        // a flipped bit in an EdDSA signature
        String t = FakeOidcIssuer.sign(ed, claims().jwtID("other").build());
        String broken = t.substring(0, t.length() - 2) + (t.charAt(t.length() - 2) == 'A' ? 'B' : 'A') + t.charAt(t.length() - 1);
        assertThat(refusal(broken)).hasMessageContaining("signature does not verify");
    }

    @Test
    void wrongAudienceIsRefused() throws Exception {
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().audience("sts.amazonaws.com").build())))
                .hasMessageContaining("audience");
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().audience((String) null).build()))).hasMessageContaining("audience");
    }

    @Test
    void otherIssuersAreNotClaimedAndSpoofedOnesDoNotVerify() throws Exception {
        // iss of another issuer: not ours, the chain goes on
        assertThat(auth.authenticate(FakeOidcIssuer.sign(rsa, claims().issuer("https://other.example").build()))
                .await().indefinitely()).isEmpty();
        // iss differing only by a trailing slash is another issuer too (exact match)
        assertThat(auth.authenticate(FakeOidcIssuer.sign(rsa, claims().issuer(issuer.url() + "/").build()))
                .await().indefinitely()).isEmpty();
        // our iss, but signed by a key the issuer never published (same kid)
        FakeOidcIssuer.SigningKey forged = issuer.rsa("rsa-1");
        assertThat(refusal(FakeOidcIssuer.sign(forged, claims().build()))).hasMessageContaining("signature does not verify");
        assertThat(auth.authenticate("not-a-jwt").await().indefinitely()).isEmpty();
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() throws Exception {
        Instant now = Instant.now();
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().expirationTime(Date.from(now.minusSeconds(60))).build())))
                .hasMessageContaining("expired");
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().expirationTime(null).build()))).hasMessageContaining("no expiry");
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().notBeforeTime(Date.from(now.plusSeconds(120))).build())))
                .hasMessageContaining("not valid before");
        assertThat(refusal(FakeOidcIssuer.sign(rsa, claims().issueTime(Date.from(now.plusSeconds(120))).build())))
                .hasMessageContaining("issued in the future");
        // within the 30 s skew
        assertThat(authenticate(FakeOidcIssuer.sign(rsa, claims().expirationTime(Date.from(now.minusSeconds(10))).build())).name())
                .isEqualTo("github-deploy");
    }

    @Test
    void algNoneIsRefused() throws Exception {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(claims().build().toString().getBytes(StandardCharsets.UTF_8)).toString();
        AuthenticationException e = refusal(header + "." + payload + ".");
        assertThat(e.unavailable()).isFalse();
        assertThat(e).hasMessageContaining("refused");
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        // the classic key-confusion attack: HS256 keyed with the issuer's public RSA key bytes
        byte[] publicKey = ((RSAKey) rsa.publicJwk()).toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
        jwt.sign(new MACSigner(java.util.Arrays.copyOf(publicKey, Math.max(32, publicKey.length))));
        assertThat(refusal(jwt.serialize())).hasMessageContaining("algorithm HS256 is not accepted");
    }

    @Test
    void anUnknownKeyIdRefetchesTheJwksOnceRateLimited() throws Exception {
        authenticate(FakeOidcIssuer.sign(rsa, claims().build()));
        int fetches = issuer.jwksFetches();
        FakeOidcIssuer.SigningKey rotated = issuer.rsa("rsa-2");
        issuer.publish(rotated);
        // rate-limited (30 s since the last fetch): the new key is not known yet
        assertThat(refusal(FakeOidcIssuer.sign(rotated, claims().build()))).hasMessageContaining("no signing key with id 'rsa-2'");
        assertThat(issuer.jwksFetches()).isEqualTo(fetches);

        auth.close();
        auth = authenticator(Duration.ZERO);
        authenticate(FakeOidcIssuer.sign(rsa, claims().build()));
        fetches = issuer.jwksFetches();
        FakeOidcIssuer.SigningKey third = issuer.rsa("rsa-3");
        issuer.publish(third);
        assertThat(authenticate(FakeOidcIssuer.sign(third, claims().build())).name()).isEqualTo("github-deploy");
        assertThat(issuer.jwksFetches()).isEqualTo(fetches + 1);
        // made-up key ids still fail as invalid
        FakeOidcIssuer.SigningKey unpublished = issuer.rsa("made-up");
        assertThat(refusal(FakeOidcIssuer.sign(unpublished, claims().build())).unavailable()).isFalse();
    }

    @Test
    void anUnreachableIssuerWithoutKeysIsUnavailable() throws Exception {
        issuer.down(true);
        AuthenticationException e = refusal(FakeOidcIssuer.sign(rsa, claims().build()));
        assertThat(e.unavailable()).isTrue();
        issuer.down(false);
    }

    @Test
    void unmappedSubjectsAreRefusedByName() throws Exception {
        AuthenticationException e = refusal(FakeOidcIssuer.sign(rsa, claims().subject("repo:evil/fork:ref:refs/heads/main").build()));
        assertThat(e).hasMessageContaining(issuer.url() + "#repo:evil/fork:ref:refs/heads/main").hasMessageContaining("not mapped");
    }
}
