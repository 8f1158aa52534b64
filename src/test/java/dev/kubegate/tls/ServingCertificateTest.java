package dev.kubegate.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServingCertificateTest {

    @Test
    void generatesACaAndAServingCertificateItSigns(@TempDir Path dir) throws Exception {
        ServingCertificate.Material m = ServingCertificate.ensure(dir, List.of("kubegate.example.com", "10.1.2.3"));
        X509Certificate ca = ServingCertificate.read(m.caCert());
        X509Certificate cert = ServingCertificate.read(m.cert());
        cert.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .contains("localhost", "127.0.0.1", "kubegate.example.com", "10.1.2.3");
        assertThat(Files.readString(m.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(m.key()))).isEqualTo("rw-------");
    }

    @Test
    void keepsTheCaAndReissuesOnlyWhenANameIsMissing(@TempDir Path dir) throws Exception {
        ServingCertificate.Material first = ServingCertificate.ensure(dir, List.of());
        String ca = Files.readString(first.caCert());
        String cert = Files.readString(first.cert());
        ServingCertificate.ensure(dir, List.of());
        assertThat(Files.readString(first.cert())).isEqualTo(cert);
        ServingCertificate.ensure(dir, List.of("nlb.example.com"));
        assertThat(Files.readString(first.caCert())).isEqualTo(ca);
        assertThat(Files.readString(first.cert())).isNotEqualTo(cert);
        assertThat(ServingCertificate.read(first.cert()).getSubjectAlternativeNames()).extracting(s -> (Object) s.get(1)).contains("nlb.example.com");
    }
}
