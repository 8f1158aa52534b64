package dev.kubegate.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SigningKeysTest {

    @TempDir
    Path tmp;

    @Test
    void generatedKeyReloadsWithTheSamePublicKeyAndSigns() throws Exception {
        SigningKeys.Signer a = SigningKeys.loadOrGenerate(tmp.resolve("k.pem"));
        SigningKeys.Signer b = SigningKeys.loadOrGenerate(tmp.resolve("k.pem"));
        assertThat(b.keyId()).isEqualTo(a.keyId());
        assertThat(b.publicKey().getEncoded()).isEqualTo(a.publicKey().getEncoded());
        byte[] msg = "head".getBytes(StandardCharsets.UTF_8);
        String sig = b.sign(msg);
        assertThat(SigningKeys.verify(a.publicKey(), msg, sig)).isTrue();
        assertThat(SigningKeys.verify(a.publicKey(), "other".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        SigningKeys.Signer c = SigningKeys.loadOrGenerate(tmp.resolve("c.pem"));
        assertThat(SigningKeys.verify(c.publicKey(), msg, sig)).isFalse();
    }
}
