package dev.kubegate.identity.session;

import dev.kubegate.testing.MutableClock;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryKeySourceTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T08:00:00Z"));

    static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    SessionClaims claims() {
        return new SessionClaims("s", "id", "ci", "static", List.of(), Map.of(), clock.instant(), clock.instant().plus(Duration.ofMinutes(5)));
    }

    @Test
    void theLastFileSignsEveryFileVerifiesAndRemovedFilesStopVerifying(@TempDir Path dir) throws Exception {
        KeyPair old = p256();
        // PKCS#8 PRIVATE KEY as the JDK encodes it (no public point), and SEC1 EC PRIVATE KEY as openssl writes it.
        Files.writeString(dir.resolve("2026-11-01.pem"), pem(new PemObject("PRIVATE KEY", old.getPrivate().getEncoded())));
        java.security.interfaces.ECPrivateKey next = (java.security.interfaces.ECPrivateKey) p256().getPrivate();
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, next.getS(),
                new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1)).getEncoded();
        Files.writeString(dir.resolve("2026-11-20.pem"), pem(new PemObject("EC PRIVATE KEY", sec1)));
        ECKey verifyOnly = new ECKeyGenerator(Curve.P_256).keyID("other-cluster").generate();
        Files.writeString(dir.resolve("peer.jwk"), verifyOnly.toPublicJWK().toJSONString());
        Files.writeString(dir.resolve(".hidden.pem"), "not a key");

        KeyRing ring = new KeyRing();
        DirectoryKeySource source = new DirectoryKeySource(dir, ring);
        source.start().await().indefinitely();
        assertThat(ring.signingKid()).contains("2026-11-20");
        assertThat(ring.kids()).containsExactlyInAnyOrder("2026-11-01", "2026-11-20", "other-cluster");

        // A token signed by the old key (e.g. by a replica that had not re-read the directory yet) verifies.
        KeyRing oldRing = new KeyRing();
        oldRing.sign(DirectoryKeySource.read(dir.resolve("2026-11-01.pem")), null);
        String oldToken = new SessionTokens(oldRing, clock).sign(claims());
        SessionTokens tokens = new SessionTokens(ring, clock);
        assertThat(tokens.verify(oldToken)).isInstanceOf(SessionTokens.Verification.Valid.class);
        assertThat(tokens.verify(tokens.sign(claims()))).isInstanceOf(SessionTokens.Verification.Valid.class);

        Files.delete(dir.resolve("2026-11-01.pem"));
        source.maintain().await().indefinitely();
        assertThat(ring.kids()).doesNotContain("2026-11-01");
        assertThat(tokens.verify(oldToken)).isInstanceOf(SessionTokens.Verification.UnknownKey.class);

        // A broken file on re-read keeps the loaded keys.
        Files.writeString(dir.resolve("2026-11-30.pem"), "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
        source.maintain().await().indefinitely();
        assertThat(ring.signingKid()).contains("2026-11-20");
    }

    @Test
    void aDirectoryWithoutAPrivateKeyOrWithAnotherCurveIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pub.jwk"), new ECKeyGenerator(Curve.P_256).keyID("p").generate().toPublicJWK().toJSONString());
        assertThatThrownBy(() -> new DirectoryKeySource(dir, new KeyRing()).start().await().indefinitely())
                .hasMessageContaining("no EC P-256 private key");
        Files.writeString(dir.resolve("p384.jwk"), new ECKeyGenerator(Curve.P_384).keyID("q").generate().toJSONString());
        assertThatThrownBy(() -> new DirectoryKeySource(dir, new KeyRing()).start().await().indefinitely())
                .hasMessageContaining("P-256");
    }
}
