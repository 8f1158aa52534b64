package dev.kubegate.upstream.credentials;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;

/** PEM checks and conversions. Vert.x's PEM key options read PKCS#8 only, hence {@link #toPkcs8}. */
final class Pem {

    private Pem() {
    }

    /**
     * Any unencrypted private key PEM — PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY} (with or
     * without a leading {@code EC PARAMETERS} block) or PKCS#8 {@code PRIVATE KEY} — as a PKCS#8 PEM block.
     *
     * @param what names the key in error messages (e.g. "user z client-key-data"); the key never appears
     */
    static String toPkcs8(String pem, String what) {
        try (var parser = new org.bouncycastle.openssl.PEMParser(new StringReader(pem))) {
            ASN1ObjectIdentifier curve = null; // from an EC PARAMETERS block, for SEC1 keys that omit their curve
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                PrivateKeyInfo info = null;
                if (o instanceof ASN1ObjectIdentifier oid) {
                    curve = oid;
                }
                if (o instanceof PEMKeyPair pair) {
                    info = pair.getPrivateKeyInfo();
                } else if (o instanceof PrivateKeyInfo pki) {
                    info = pki;
                } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new UpstreamCredentialsException(what + " is encrypted; kubegate needs an unencrypted key");
                }
                if (info != null) {
                    return block("PRIVATE KEY", withCurve(info, curve, what).getEncoded());
                }
                // anything else (EC PARAMETERS, a certificate pasted before the key) is skipped
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UpstreamCredentialsException u) {
                throw u;
            }
            throw new UpstreamCredentialsException(what + " is not a readable PEM private key: " + Refreshing.message(e), e);
        }
        throw new UpstreamCredentialsException(what + " holds no PEM private key (expected a BEGIN RSA PRIVATE KEY, "
                + "EC PRIVATE KEY or PRIVATE KEY block)");
    }

    /** PKCS#8 readers (the JDK's among them) need an EC key's curve in the algorithm identifier. */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info, ASN1ObjectIdentifier curve, String what) throws IOException {
        AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm()) || hasValue(alg.getParameters())) {
            return info;
        }
        ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
        ASN1Encodable params = hasValue(ec.getParametersObject()) ? ec.getParametersObject() : curve;
        if (params == null) {
            throw new UpstreamCredentialsException(what + " is an EC key that names no curve");
        }
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, params), ec);
    }

    private static boolean hasValue(ASN1Encodable e) {
        return e != null && !(e instanceof ASN1Null);
    }

    /** Checks that {@code pem} holds at least one certificate and returns it unchanged. */
    static String requireCertificates(String pem, String what) {
        int count = 0;
        try (var parser = new org.bouncycastle.openssl.PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder) {
                    count++;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new UpstreamCredentialsException(what + " is not readable PEM: " + Refreshing.message(e), e);
        }
        if (count == 0) {
            throw new UpstreamCredentialsException(what + " holds no PEM certificate (expected a BEGIN CERTIFICATE block)");
        }
        return pem;
    }

    static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** Kubeconfig {@code *-data} fields are base64 of the PEM bytes ([]byte in client-go's JSON). */
    static String decodeData(String base64, String what) {
        try {
            return new String(Base64.getMimeDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UpstreamCredentialsException(what + " is not valid base64: " + e.getMessage(), e);
        }
    }

    static String readFile(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UpstreamCredentialsException(what + ": file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UpstreamCredentialsException(what + ": cannot read " + file + ": " + Refreshing.message(e), e);
        }
    }
}
