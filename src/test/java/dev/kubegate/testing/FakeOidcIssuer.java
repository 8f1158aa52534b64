package dev.kubegate.testing;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OIDC issuer double over plain HTTP: discovery document, a JWKS of keys generated here (RSA, EC P-256,
 * Ed25519), and a signer for tokens. Keys can be added (rotation) and the JWKS fetches counted.
 */
public final class FakeOidcIssuer implements AutoCloseable {

    /** A key pair and how to sign with it. */
    public record SigningKey(String kid, JWSAlgorithm alg, JWK publicJwk, Object privateKey) {
    }

    private final HttpServer server;
    private final List<SigningKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private volatile boolean down;

    private FakeOidcIssuer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", x -> {
            if (down) {
                send(x, 503, "down");
                return;
            }
            send(x, 200, "{\"issuer\":\"" + url() + "\",\"jwks_uri\":\"" + url() + "/keys\"}");
        });
        server.createContext("/keys", x -> {
            jwksFetches.incrementAndGet();
            if (down) {
                send(x, 503, "down");
                return;
            }
            List<JWK> keys = new ArrayList<>();
            published.forEach(k -> keys.add(k.publicJwk()));
            send(x, 200, new JWKSet(keys).toString(true));
        });
        server.start();
    }

    public static FakeOidcIssuer start() throws IOException {
        return new FakeOidcIssuer();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    public void down(boolean d) {
        down = d;
    }

    public SigningKey rsa(String kid) throws Exception {
        RSAKey k = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        return new SigningKey(kid, JWSAlgorithm.RS256, k.toPublicJWK(), k);
    }

    public SigningKey ec(String kid) throws Exception {
        ECKey k = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        return new SigningKey(kid, JWSAlgorithm.ES256, k.toPublicJWK(), k);
    }

    public SigningKey ed25519(String kid) throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = kp.getPublic().getEncoded();
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        OctetKeyPair pub = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
        return new SigningKey(kid, JWSAlgorithm.EdDSA, pub, kp.getPrivate());
    }

    /** Publishes {@code key} in the JWKS. */
    public FakeOidcIssuer publish(SigningKey key) {
        published.add(key);
        return this;
    }

    /** A compact JWS of {@code claims} signed with {@code key} (with its kid in the header). */
    public static String sign(SigningKey key, JWTClaimsSet claims) throws Exception {
        JWSHeader header = new JWSHeader.Builder(key.alg()).keyID(key.kid()).type(JOSEObjectType.JWT).build();
        if (key.privateKey() instanceof RSAKey rsa) {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(rsa));
            return jwt.serialize();
        }
        if (key.privateKey() instanceof ECKey ec) {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new ECDSASigner(ec));
            return jwt.serialize();
        }
        // EdDSA with the JDK (Nimbus' Ed25519 signer needs Tink)
        String input = header.toBase64URL() + "." + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign((PrivateKey) key.privateKey());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(s.sign());
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
