package dev.kubegate.identity.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import io.smallrye.mutiny.Uni;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.BigIntegers;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Signing keys from a directory, typically a mounted Kubernetes Secret shared by all replicas: each
 * regular file ({@code *.pem}, {@code *.jwk}, {@code *.json}; dot-files skipped) holds one EC P-256
 * key as PEM (private key, or public key for verify-only) or as a JWK. The key id is the JWK's
 * {@code kid}, else the file name without its extension. Every key verifies; the private key in the
 * file whose name sorts last signs. Rotate by adding a file that sorts later; remove an old file once
 * the tokens it signed have expired ({@code session.max-ttl}). Re-read on every {@link #maintain()}.
 * Reading files blocks, so it runs on a worker thread.
 */
public final class DirectoryKeySource implements KeySource {

    private static final Logger LOG = Logger.getLogger(DirectoryKeySource.class);

    private final Path dir;
    private final KeyRing ring;
    private volatile String loadedSigner;

    public DirectoryKeySource(Path dir, KeyRing ring) {
        this.dir = dir;
        this.ring = ring;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().item(() -> {
            load(true);
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Uni<Void> maintain() {
        return Uni.createFrom().item(() -> {
            try {
                load(false);
            } catch (RuntimeException e) {
                // Keep the keys we have: a half-written Secret update must not stop the gateway.
                LOG.warnf("cannot re-read session signing keys from %s, keeping the loaded ones: %s", dir, e.getMessage());
            }
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Uni<Boolean> lookup(String kid) {
        return Uni.createFrom().item(false);
    }

    @Override
    public void stop() {
    }

    /** Reads every key file; the ring changes only when all of them are readable. */
    synchronized void load(boolean first) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> f.getFileName().toString().matches(".*\\.(pem|jwk|json|key|crt)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list kubegate.session.signing-keys-dir " + dir + ": " + e.getMessage(), e);
        }
        List<ECKey> keys = new ArrayList<>();
        ECKey signer = null;
        for (Path f : files) {
            ECKey k = read(f);
            keys.add(k);
            if (k.isPrivate()) signer = k;
        }
        if (signer == null) {
            throw new IllegalStateException("kubegate.session.signing-keys-dir " + dir
                    + " holds no EC P-256 private key (PEM or JWK): kubegate cannot sign session tokens");
        }
        Set<String> kids = new HashSet<>();
        for (ECKey k : keys) {
            if (k != signer) ring.verifyWith(k, null);
            kids.add(k.getKeyID());
        }
        if (!signer.getKeyID().equals(loadedSigner)) {
            ring.sign(signer, null);
            loadedSigner = signer.getKeyID();
            LOG.infof("session tokens are signed with key %s from %s (%d keys verify)", signer.getKeyID(), dir, kids.size());
        }
        ring.retainOnly(kids);
    }

    static ECKey read(Path f) {
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read session key file " + f + ": " + e.getMessage(), e);
        }
        String name = f.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        try {
            JWK jwk = text.startsWith("{") ? JWK.parse(text) : pem(text);
            if (!(jwk instanceof ECKey ec)) {
                throw new IllegalStateException("session key file " + f + " holds a " + jwk.getKeyType() + " key; kubegate needs EC P-256");
            }
            if (ec.getKeyID() == null) {
                ec = new ECKey.Builder(ec).keyID(stem).build();
            }
            return ec;
        } catch (ParseException | JOSEException | IOException | RuntimeException e) {
            if (e instanceof IllegalStateException ise) throw ise;
            throw new IllegalStateException("session key file " + f + " is not a PEM or JWK EC key: " + e.getMessage(), e);
        }
    }

    /**
     * The first key of a PEM text: SEC1 {@code EC PRIVATE KEY}, PKCS#8 {@code PRIVATE KEY} (the public
     * point is computed when the encoding leaves it out, as the JDK's does) or {@code PUBLIC KEY}.
     */
    static ECKey pem(String text) throws IOException, JOSEException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return pair.getPublicKeyInfo() != null
                            ? ecKey(converter.getKeyPair(pair).getPublic(), converter.getKeyPair(pair).getPrivate())
                            : fromPrivate(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return fromPrivate(info);
                }
                if (o instanceof SubjectPublicKeyInfo spki) {
                    return ecKey(converter.getPublicKey(spki), null);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalStateException("the key is encrypted; kubegate needs an unencrypted key");
                }
            }
        }
        throw new IllegalStateException("no PEM key (expected EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY)");
    }

    private static ECKey ecKey(java.security.PublicKey pub, java.security.PrivateKey priv) {
        if (!(pub instanceof java.security.interfaces.ECPublicKey ec)) {
            throw new IllegalStateException("not an EC key");
        }
        ECKey.Builder b = new ECKey.Builder(Curve.P_256, ec);
        if (priv != null) b.privateKey((java.security.interfaces.ECPrivateKey) priv);
        return b.build();
    }

    private static ECKey fromPrivate(PrivateKeyInfo info) throws IOException {
        ASN1Encodable params = info.getPrivateKeyAlgorithm().getParameters();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        if (params == null || params instanceof org.bouncycastle.asn1.ASN1Null) params = sec1.getParametersObject();
        org.bouncycastle.asn1.x9.X962Parameters x962 = params == null ? null : org.bouncycastle.asn1.x9.X962Parameters.getInstance(params);
        if (x962 == null || !x962.isNamedCurve() || !SECObjectIdentifiers.secp256r1.equals(x962.getParameters())) {
            throw new IllegalStateException("the key is not on P-256 (secp256r1); kubegate signs ES256");
        }
        BigInteger d = sec1.getKey();
        X9ECParameters curve = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);
        ECPoint q = curve.getG().multiply(d).normalize();
        return new ECKey.Builder(Curve.P_256, Base64URL.encode(q.getAffineXCoord().getEncoded()),
                Base64URL.encode(q.getAffineYCoord().getEncoded()))
                .d(Base64URL.encode(BigIntegers.asUnsignedByteArray(32, d))).build();
    }
}
