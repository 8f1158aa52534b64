package dev.kubegate.upstream.credentials;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

/** Keys and certificates made on the fly, in the PEM forms kubeconfigs carry. */
final class TestPki {

    private TestPki() {
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A self-signed certificate for {@code cn}, as PEM. */
    static String selfSigned(KeyPair kp, String cn) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, kp.getPublic());
        String alg = kp.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
        return pem(cert);
    }

    /** PKCS#1 {@code RSA PRIVATE KEY}, the form kubeadm, minikube and most kubeconfig generators write. */
    static String pkcs1Pem(PrivateKey rsaKey) throws Exception {
        return pem(rsaKey);
    }

    /**
     * SEC1 {@code EC PRIVATE KEY} as OpenSSL writes it: with the curve inside ({@code withCurve}), or without it
     * and an {@code EC PARAMETERS} block in front (what {@code openssl ecparam -genkey} prints).
     */
    static String sec1Pem(PrivateKey ecKey, boolean withCurve) throws Exception {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(ecKey.getEncoded());
        ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(), withCurve ? curve : null);
        String key = Pem.block("EC PRIVATE KEY", sec1.getEncoded());
        return withCurve ? key : Pem.block("EC PARAMETERS", curve.toASN1Primitive().getEncoded()) + key;
    }

    static String pkcs8Pem(PrivateKey key) {
        return Pem.block("PRIVATE KEY", key.getEncoded());
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
