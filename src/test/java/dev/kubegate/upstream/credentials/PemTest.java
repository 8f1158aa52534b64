package dev.kubegate.upstream.credentials;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PemTest {

    @Test
    void rsaPkcs1KeyBecomesPkcs8() throws Exception {
        KeyPair kp = TestPki.rsa();
        String pkcs1 = TestPki.pkcs1Pem(kp.getPrivate());
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        String pkcs8 = Pem.toPkcs8(pkcs1, "test key");
        assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(decode(pkcs8, "RSA")).isEqualTo(kp.getPrivate());
    }

    @Test
    void ecSec1KeyBecomesPkcs8WithItsCurveInsideOrInAnEcParametersBlock() throws Exception {
        KeyPair kp = TestPki.ec();
        String withCurve = TestPki.sec1Pem(kp.getPrivate(), true);
        String paramsBlockFirst = TestPki.sec1Pem(kp.getPrivate(), false);
        assertThat(withCurve).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(paramsBlockFirst).startsWith("-----BEGIN EC PARAMETERS-----");

        for (String pem : new String[] {withCurve, paramsBlockFirst}) {
            PrivateKey back = decode(Pem.toPkcs8(pem, "test key"), "EC");
            assertThat(((ECPrivateKey) back).getS()).isEqualTo(((ECPrivateKey) kp.getPrivate()).getS());
        }
        String noCurve = paramsBlockFirst.substring(paramsBlockFirst.indexOf("-----BEGIN EC PRIVATE KEY"));
        assertThatThrownBy(() -> Pem.toPkcs8(noCurve, "k")).hasMessage("k is an EC key that names no curve");
    }

    @Test
    void pkcs8KeyStaysPkcs8() throws Exception {
        KeyPair kp = TestPki.ec();
        String pkcs8 = TestPki.pkcs8Pem(kp.getPrivate());
        assertThat(decode(Pem.toPkcs8(pkcs8, "k"), "EC").getEncoded())
                .isEqualTo(PrivateKeyInfo.getInstance(kp.getPrivate().getEncoded()).getEncoded());
    }

    @Test
    void encryptedAndMissingKeysAreRefusedWithoutEchoingThem() throws Exception {
        KeyPair kp = TestPki.rsa();
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(new org.bouncycastle.asn1.ASN1ObjectIdentifier(JceOpenSSLPKCS8EncryptorBuilder.AES_256_CBC)).setProvider(new BouncyCastleProvider())
                            .setPassword("pw".toCharArray()).build()));
        }
        assertThatThrownBy(() -> Pem.toPkcs8(w.toString(), "user z client key"))
                .hasMessage("user z client key is encrypted; kubegate needs an unencrypted key");
        assertThatThrownBy(() -> Pem.toPkcs8("not a key", "user z client key"))
                .hasMessageStartingWith("user z client key holds no PEM private key");
        assertThatThrownBy(() -> Pem.toPkcs8("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "k"))
                .isInstanceOf(UpstreamCredentialsException.class).hasMessageStartingWith("k is not a readable PEM private key");
    }

    @Test
    void certificatesAreChecked() throws Exception {
        String cert = TestPki.selfSigned(TestPki.ec(), "ca");
        assertThat(Pem.requireCertificates("# comment\n" + cert, "ca")).contains("BEGIN CERTIFICATE");
        assertThatThrownBy(() -> Pem.requireCertificates("hello", "cluster x certificate authority"))
                .hasMessage("cluster x certificate authority holds no PEM certificate (expected a BEGIN CERTIFICATE block)");
    }

    private static PrivateKey decode(String pkcs8Pem, String alg) throws Exception {
        String body = pkcs8Pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
