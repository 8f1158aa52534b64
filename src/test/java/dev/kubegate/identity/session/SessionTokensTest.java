package dev.kubegate.identity.session;

import dev.kubegate.testing.MutableClock;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SessionTokensTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T08:00:00Z"));

    static ECKey key(String kid) throws Exception {
        return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    }

    SessionClaims claims(Duration ttl) {
        return new SessionClaims("s1", "arn:aws:iam::1:role/ci", "ci", "aws-iam", List.of("agents"), Map.of("task", "T-1"),
                clock.instant(), clock.instant().plus(ttl));
    }

    @Test
    void aSignedTokenVerifiesAndCarriesTheSession() throws Exception {
        KeyRing ring = new KeyRing();
        ring.sign(key("k1"), null);
        SessionTokens tokens = new SessionTokens(ring, clock);
        String t = tokens.sign(claims(Duration.ofMinutes(15)));
        assertThat(t).startsWith("kubegate-session.");
        var v = tokens.verify(t);
        assertThat(v).isInstanceOf(SessionTokens.Verification.Valid.class);
        SessionClaims c = ((SessionTokens.Verification.Valid) v).claims();
        assertThat(c).isEqualTo(claims(Duration.ofMinutes(15)));
        assertThat(c.principal().session().orElseThrow().labels()).containsEntry("task", "T-1");
        // From the cache, the same answer.
        assertThat(tokens.verify(t)).isEqualTo(v);
    }

    @Test
    void expiryIsEnforcedAlsoForCachedTokens() throws Exception {
        KeyRing ring = new KeyRing();
        ring.sign(key("k1"), null);
        SessionTokens tokens = new SessionTokens(ring, clock);
        String t = tokens.sign(claims(Duration.ofSeconds(3)));
        assertThat(tokens.verify(t)).isInstanceOf(SessionTokens.Verification.Valid.class);
        clock.advance(Duration.ofSeconds(3));
        assertThat(tokens.verify(t)).isInstanceOf(SessionTokens.Verification.Expired.class);
        assertThat(new SessionTokens(ring, clock).verify(t)).isInstanceOf(SessionTokens.Verification.Expired.class);
    }

    @Test
    void tamperedForgedAndForeignTokensAreRefused() throws Exception {
        KeyRing ring = new KeyRing();
        ring.sign(key("k1"), null);
        SessionTokens tokens = new SessionTokens(ring, clock);
        String t = tokens.sign(claims(Duration.ofMinutes(15)));
        String jwt = t.substring(SessionTokens.PREFIX.length());
        String[] parts = jwt.split("\\.");

        // Payload changed (another principal), signature kept.
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"ci\"", "\"admin\"");
        String tampered = SessionTokens.PREFIX + parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(tokens.verify(tampered)).isInstanceOf(SessionTokens.Verification.Invalid.class);

        // Signed by another key that claims the same kid.
        ECKey impostor = key("k1");
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(SessionTokens.TYPE).keyID("k1").build(),
                SignedJWT.parse(jwt).getJWTClaimsSet());
        forged.sign(new ECDSASigner(impostor));
        assertThat(tokens.verify(SessionTokens.PREFIX + forged.serialize())).isInstanceOf(SessionTokens.Verification.Invalid.class);

        // HMAC with the public key as secret, alg confusion.
        SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(SessionTokens.TYPE).keyID("k1").build(),
                SignedJWT.parse(jwt).getJWTClaimsSet());
        hs.sign(new MACSigner(new byte[32]));
        assertThat(tokens.verify(SessionTokens.PREFIX + hs.serialize())).isInstanceOf(SessionTokens.Verification.Invalid.class);

        // alg none
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(tokens.verify(SessionTokens.PREFIX + none + "." + parts[1] + ".")).isInstanceOf(SessionTokens.Verification.Invalid.class);

        // Unknown kid, garbage, oversize, wrong issuer.
        ECKey other = key("k9");
        SignedJWT foreignKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(SessionTokens.TYPE).keyID("k9").build(),
                SignedJWT.parse(jwt).getJWTClaimsSet());
        foreignKid.sign(new ECDSASigner(other));
        assertThat(tokens.verify(SessionTokens.PREFIX + foreignKid.serialize())).isEqualTo(new SessionTokens.Verification.UnknownKey("k9"));
        assertThat(tokens.verify(SessionTokens.PREFIX + "not.a.jwt")).isInstanceOf(SessionTokens.Verification.Invalid.class);
        assertThat(tokens.verify(SessionTokens.PREFIX + "x".repeat(10_000))).isInstanceOf(SessionTokens.Verification.Invalid.class);
        SignedJWT foreignIssuer = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(SessionTokens.TYPE).keyID("k1").build(),
                new JWTClaimsSet.Builder(SignedJWT.parse(jwt).getJWTClaimsSet()).issuer("someone-else").build());
        assertThat(tokens.verify(t)).isInstanceOf(SessionTokens.Verification.Valid.class);
        ring.verifyWith(other, null);
        SignedJWT fi = new SignedJWT(new JWSHeader.Builder(foreignIssuer.getHeader()).keyID("k9").build(), foreignIssuer.getJWTClaimsSet());
        fi.sign(new ECDSASigner(other));
        assertThat(tokens.verify(SessionTokens.PREFIX + fi.serialize())).isInstanceOf(SessionTokens.Verification.Invalid.class);
        // A plain JWT (an OIDC token) is not claimed at all.
        assertThat(SessionTokens.isSessionToken(jwt)).isFalse();
    }

    @Test
    void rotatedKeysKeepVerifyingUntilTheirTokensExpiredAndReplicasShareThem() throws Exception {
        FlakyStore store = new FlakyStore(clock);
        Duration rotation = Duration.ofHours(24);
        Duration maxTtl = Duration.ofHours(1);
        KeyRing ringA = new KeyRing();
        KeyRing ringB = new KeyRing();
        StoreKeySource a = new StoreKeySource(store, ringA, clock, rotation, maxTtl);
        StoreKeySource b = new StoreKeySource(store, ringB, clock, rotation, maxTtl);
        a.start().await().indefinitely();
        b.start().await().indefinitely();
        SessionTokens tokensA = new SessionTokens(ringA, clock);
        SessionTokens tokensB = new SessionTokens(ringB, clock);
        String kidA1 = ringA.signingKid().orElseThrow();
        assertThat(ringB.kids()).contains(kidA1, ringB.signingKid().orElseThrow());
        assertThat(ringA.kids()).contains(ringB.signingKid().orElseThrow());

        clock.advance(Duration.ofHours(23).plusMinutes(59));
        String old = tokensA.sign(claims(maxTtl)); // signed at the end of k1's window, valid for an hour more
        clock.advance(Duration.ofMinutes(1));
        a.maintain().await().indefinitely();
        String kidA2 = ringA.signingKid().orElseThrow();
        assertThat(kidA2).isNotEqualTo(kidA1);
        String fresh = tokensA.sign(claims(Duration.ofMinutes(15)));
        // B learns A's new key through the change feed, and still has the old one.
        assertThat(ringB.kids()).contains(kidA1, kidA2);
        assertThat(tokensB.verify(fresh)).isInstanceOf(SessionTokens.Verification.Valid.class);
        assertThat(tokensB.verify(old)).isInstanceOf(SessionTokens.Verification.Valid.class);

        // Once the last token k1 can have signed has expired, k1 goes from every ring.
        clock.advance(maxTtl.plusMinutes(2));
        a.maintain().await().indefinitely();
        b.maintain().await().indefinitely();
        assertThat(ringA.kids()).doesNotContain(kidA1);
        assertThat(ringB.kids()).doesNotContain(kidA1).contains(kidA2);
    }

    @Test
    void aKeyPublishedWhileTheFeedLagsIsLookedUpOnce() throws Exception {
        FlakyStore store = new FlakyStore(clock);
        KeyRing ringA = new KeyRing();
        new StoreKeySource(store, ringA, clock, Duration.ofHours(24), Duration.ofHours(1)).start().await().indefinitely();
        // B starts later with the store's documents but misses nothing; simulate a lagging feed by a ring without A's key.
        KeyRing ringB = new KeyRing();
        StoreKeySource b = new StoreKeySource(store, ringB, clock, Duration.ofHours(24), Duration.ofHours(1));
        b.start().await().indefinitely();
        ringB.remove(ringA.signingKid().orElseThrow());
        String t = new SessionTokens(ringA, clock).sign(claims(Duration.ofMinutes(5)));
        SessionTokens tokensB = new SessionTokens(ringB, clock);
        assertThat(tokensB.verify(t)).isInstanceOf(SessionTokens.Verification.UnknownKey.class);
        assertThat(b.lookup(ringA.signingKid().orElseThrow()).await().indefinitely()).isTrue();
        assertThat(tokensB.verify(t)).isInstanceOf(SessionTokens.Verification.Valid.class);
        // A forged kid is looked up once, then refused from memory for a while.
        assertThat(b.lookup("forged").await().indefinitely()).isFalse();
        store.down = true;
        assertThat(b.lookup("forged").await().indefinitely()).isFalse();
    }
}
