package dev.kubegate.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The certificate kubegate serves when the operator configured none: a private CA kept under
 * {@code <data-dir>/tls/ca.{crt,key}} and a serving certificate it signs. Clients pin the CA (the
 * generated kubeconfig embeds it), so the serving certificate can be re-issued — when it nears
 * expiry or a name is added — without touching any client.
 */
public final class ServingCertificate {

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVING_VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /** Paths of the generated material. */
    public record Material(Path caCert, Path cert, Path key) {
    }

    private ServingCertificate() {
    }

    public static Material paths(Path dataDir) {
        Path dir = dataDir.resolve("tls");
        return new Material(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
    }

    /**
     * Makes sure a CA and a serving certificate for {@code names} (plus localhost, loopback and this
     * host's name) exist under {@code dataDir}; generates what is missing, stale or too narrow.
     * Blocking file I/O: call at start-up, never on an event loop.
     */
    public static Material ensure(Path dataDir, Collection<String> names) {
        Material files = paths(dataDir);
        try {
            Files.createDirectories(files.cert().getParent());
            Path caKey = files.caCert().resolveSibling("ca.key");
            if (!Files.exists(files.caCert()) || !Files.exists(caKey)) {
                KeyPair ca = newKeyPair();
                X509Certificate caCert = sign("kubegate-ca@" + Instant.now().getEpochSecond(), ca, null, ca.getPrivate(), List.of(), CA_VALIDITY, true);
                writeAtomically(caKey, pem(ca.getPrivate()), true);
                writeAtomically(files.caCert(), pem(caCert), false);
                Files.deleteIfExists(files.cert());
            }
            Set<String> wanted = subjectAltNames(names);
            if (!Files.exists(files.cert()) || !Files.exists(files.key()) || needsRenewal(read(files.cert()), wanted)) {
                X509Certificate caCert = read(files.caCert());
                PrivateKey caPrivate = readKey(caKey);
                KeyPair serving = newKeyPair();
                X509Certificate cert = sign("kubegate", serving, caCert, caPrivate, wanted, SERVING_VALIDITY, false);
                writeAtomically(files.key(), pem(serving.getPrivate()), true);
                writeAtomically(files.cert(), pem(cert) + pem(caCert), false);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the serving certificate under " + files.cert().getParent(), e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot generate the serving certificate", e);
        }
    }

    static Set<String> subjectAltNames(Collection<String> extra) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException ignored) {
            // no resolvable host name: loopback names still work
        }
        extra.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    private static boolean needsRenewal(X509Certificate cert, Set<String> wanted) throws GeneralSecurityException {
        if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return true;
        }
        Set<String> present = new LinkedHashSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            sans.forEach(san -> present.add(String.valueOf(san.get(1))));
        }
        // IPv6 literals come back expanded (0:0:0:0:0:0:0:1); compare them as addresses.
        return !wanted.stream().allMatch(w -> present.contains(w) || (w.contains(":") && present.stream().anyMatch(p -> sameAddress(p, w))));
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return IPAddress.isValid(a) && IPAddress.isValid(b) && InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (IOException e) {
            return false;
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return gen.generateKeyPair();
    }

    private static X509Certificate sign(String cn, KeyPair subject, X509Certificate issuer, PrivateKey issuerKey,
                                        Collection<String> sans, Duration validity, boolean ca)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        Instant now = Instant.now();
        X500Name subjectName = new X500Name("CN=" + cn + ",O=kubegate");
        X500Name issuerName = issuer == null ? subjectName : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(127, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subjectName, subject.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subject.getPublic()));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>();
            for (String n : sans) {
                names.add(IPAddress.isValid(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
        X509CertificateHolder holder = b.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static X509Certificate read(Path pem) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(pem)))) {
            Object o = p.readObject();
            if (o instanceof X509CertificateHolder h) {
                return new JcaX509CertificateConverter().getCertificate(h);
            }
            throw new IOException(pem + " does not start with a PEM certificate");
        }
    }

    private static PrivateKey readKey(Path pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(pem)))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getKeyPair(kp).getPrivate();
            }
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IOException(pem + " does not hold a PEM private key");
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            // PKCS#8 for keys: the form every TLS stack (Vert.x, Go, OpenSSL) reads.
            w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null).generate() : o);
        }
        return out.toString();
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the directory's permissions are all we have
            }
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
