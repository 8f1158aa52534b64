package dev.kubegate.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys that sign checkpoints (JDK {@code java.security}, no provider needed). A key's id is
 * the first 16 hex digits of SHA-256 over its X.509 (SubjectPublicKeyInfo) encoding. Keys are PEM:
 * {@code PRIVATE KEY} (PKCS#8) for the signer, {@code PUBLIC KEY} for verifiers.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private SigningKeys() {
    }

    /** A signing key with its id. */
    public record Signer(String keyId, PrivateKey key, PublicKey publicKey) {
        public String sign(byte[] message) {
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initSign(key);
                s.update(message);
                return Base64.getEncoder().encodeToString(s.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign an audit checkpoint", e);
            }
        }
    }

    /** Loads the PKCS#8 PEM key at {@code file}; generates and stores one (mode 600) when it does not exist. */
    public static Signer loadOrGenerate(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                KeyPair kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(tmp, pem("PRIVATE KEY", kp.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
                try {
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not POSIX
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
            }
        }
        return load(file);
    }

    public static Signer load(Path file) throws IOException {
        try {
            byte[] der = der(Files.readString(file, StandardCharsets.US_ASCII), "PRIVATE KEY", file);
            KeyFactory kf = KeyFactory.getInstance(ALGORITHM);
            PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(der));
            // A PKCS#8 Ed25519 key usually carries no public key: derive it from the seed.
            PublicKey pub = publicOf(priv);
            return new Signer(keyId(pub), priv, pub);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    /** The Ed25519 public key of a private key, computed with the JDK's own point arithmetic. */
    private static PublicKey publicOf(PrivateKey priv) throws GeneralSecurityException {
        // KeyPairGenerator seeded with the private key's bytes yields the same key pair (RFC 8032 derivation).
        byte[] seed = ((java.security.interfaces.EdECPrivateKey) priv).getBytes()
                .orElseThrow(() -> new GeneralSecurityException("the private key has no seed"));
        KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
        g.initialize(java.security.spec.NamedParameterSpec.ED25519, new FixedRandom(seed));
        KeyPair kp = g.generateKeyPair();
        return kp.getPublic();
    }

    /** Feeds a fixed seed to the key pair generator, which takes exactly 32 random bytes. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }

    public static PublicKey readPublic(String pem, Object source) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY", source)));
        } catch (GeneralSecurityException e) {
            throw new IOException(source + " is not an Ed25519 public key (PEM): " + e.getMessage(), e);
        }
    }

    /** Every {@code *.pub} file in a directory, by key id. */
    public static Map<String, PublicKey> readPublicKeys(Path dir) throws IOException {
        Map<String, PublicKey> out = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".pub"))::iterator) {
                PublicKey k = readPublic(Files.readString(f, StandardCharsets.US_ASCII), f);
                out.put(keyId(k), k);
            }
        }
        return out;
    }

    public static String keyId(PublicKey key) {
        return Canonical.sha256(key.getEncoded(), 0, key.getEncoded().length).substring(0, 16);
    }

    public static boolean verify(PublicKey key, byte[] message, String signatureBase64) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** Raw 32-byte public key, hex (what a JWK {@code x} or another tool would compare). */
    public static String rawHex(PublicKey key) {
        byte[] enc = key.getEncoded();
        return HexFormat.of().formatHex(enc, enc.length - 32, enc.length);
    }

    private static byte[] der(String pem, String type, Object source) throws IOException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(m.group(2));
            }
        }
        throw new IOException(source + " has no PEM block " + type);
    }
}
