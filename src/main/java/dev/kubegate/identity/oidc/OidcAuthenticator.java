package dev.kubegate.identity.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.Jwts;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.VerifiedTokens;
import dev.kubegate.identity.mapping.IdentityMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.tracing.TracingPolicy;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OIDC JWTs from configured issuers (CI workload identity such as GitHub Actions' id-token): the
 * signature against the issuer's JWKS (RS*, PS*, ES*, EdDSA; never {@code none} or HMAC), {@code iss}
 * exactly a configured issuer, {@code aud} containing one of its audiences, {@code exp} / {@code nbf} /
 * {@code iat} within a small skew. The identity is {@code <issuer>#<username claim>}, then mapped.
 *
 * <p>Claims only JWTs whose (unverified) {@code iss} is a configured issuer: any other token passes on
 * to the next authenticator (service accounts, static tokens). Verified tokens are cached by digest
 * until their {@code exp}, so repeated requests skip the signature check.
 */
public final class OidcAuthenticator implements Authenticator, AutoCloseable {

    static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    /** One trusted issuer. */
    public record Issuer(String url, List<String> audiences, String usernameClaim, Optional<String> groupsClaim,
                         Optional<String> jwksUrl) {
        public Issuer {
            audiences = List.copyOf(audiences);
            if (audiences.isEmpty()) {
                throw new IllegalArgumentException("OIDC issuer " + url + " needs at least one audience");
            }
        }
    }

    /** Timing settings. */
    public record Options(Duration clockSkew, Duration jwksMinRefresh, Duration jwksMaxAge, Duration fetchTimeout, int cacheSize) {
    }

    private record Trusted(Issuer issuer, Jwks keys) {
    }

    private final Map<String, Trusted> issuers = new HashMap<>();
    private final Map<VerifierKey, JWSVerifier> verifiers = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient client;
    private final IdentityMapper mapper;
    private final VerifiedTokens<ExternalIdentity> verified;
    private final Duration skew;
    private final Clock clock;

    public OidcAuthenticator(Vertx vertx, List<Issuer> issuers, Options options, IdentityMapper mapper, Clock clock) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) options.fetchTimeout().toMillis())
                .setVerifyHost(true)
                .setTracingPolicy(TracingPolicy.IGNORE));
        for (Issuer i : issuers) {
            if (this.issuers.put(i.url(), new Trusted(i, new Jwks(vertx, client, i.url(), i.jwksUrl(), options.jwksMinRefresh(),
                    options.jwksMaxAge(), options.fetchTimeout(), clock))) != null) {
                throw new IllegalArgumentException("OIDC issuer " + i.url() + " is configured twice");
            }
        }
        this.mapper = mapper;
        this.verified = new VerifiedTokens<>(options.cacheSize(), clock);
        this.skew = options.clockSkew();
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Principal>> authenticate(String bearerToken) {
        if (!Jwts.isJwtShaped(bearerToken)) {
            return Uni.createFrom().item(Optional.empty());
        }
        ExternalIdentity hit = verified.cached(bearerToken);
        if (hit != null) {
            return principal(hit);
        }
        Optional<JsonNode> claims = Jwts.unverifiedClaims(bearerToken);
        Trusted trusted = claims.map(c -> issuers.get(c.path("iss").asText(""))).orElse(null);
        if (trusted == null) {
            return Uni.createFrom().item(Optional.empty()); // another issuer's JWT: not ours
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(bearerToken);
        } catch (ParseException e) {
            return refuse(trusted, "it is not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!ALLOWED.contains(header.getAlgorithm())) {
            return refuse(trusted, "the algorithm " + header.getAlgorithm() + " is not accepted (RS*, PS*, ES*, EdDSA are)");
        }
        return verified.get(bearerToken, t -> trusted.keys().keysFor(header.getKeyID())
                        .map(keys -> verify(trusted.issuer(), jwt, keys)))
                .flatMap(this::principal);
    }

    private VerifiedTokens.Verified<ExternalIdentity> verify(Issuer issuer, SignedJWT jwt, JWKSet keys) {
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates = new ArrayList<>();
        for (JWK k : keys.getKeys()) {
            if (header.getKeyID() != null && !header.getKeyID().equals(k.getKeyID())) {
                continue;
            }
            if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
                continue;
            }
            if (k.getAlgorithm() != null && !k.getAlgorithm().equals(header.getAlgorithm())) {
                continue;
            }
            candidates.add(k);
        }
        if (candidates.isEmpty()) {
            throw invalid(issuer, header.getKeyID() == null ? "no key of the issuer fits it"
                    : "the issuer has no signing key with id '" + header.getKeyID() + "'");
        }
        boolean ok = false;
        for (JWK k : candidates) {
            try {
                JWSVerifier v = verifierFor(header.getAlgorithm(), k);
                if (v != null && jwt.verify(v)) {
                    ok = true;
                    break;
                }
            } catch (JOSEException e) {
                // a key that does not fit the algorithm: try the next
            }
        }
        if (!ok) {
            throw invalid(issuer, "the signature does not verify");
        }
        JWTClaimsSet c;
        try {
            c = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid(issuer, "its claims are not a JSON object");
        }
        Instant now = clock.instant();
        if (!issuer.url().equals(c.getIssuer())) {
            throw invalid(issuer, "the issuer is not " + issuer.url());
        }
        if (c.getAudience() == null || c.getAudience().stream().noneMatch(issuer.audiences()::contains)) {
            throw invalid(issuer, "its audience " + c.getAudience() + " is none of " + issuer.audiences());
        }
        Date exp = c.getExpirationTime();
        if (exp == null) {
            throw invalid(issuer, "it has no expiry (exp)");
        }
        if (!now.isBefore(exp.toInstant().plus(skew))) {
            throw invalid(issuer, "it expired at " + exp.toInstant());
        }
        if (c.getNotBeforeTime() != null && c.getNotBeforeTime().toInstant().isAfter(now.plus(skew))) {
            throw invalid(issuer, "it is not valid before " + c.getNotBeforeTime().toInstant());
        }
        if (c.getIssueTime() != null && c.getIssueTime().toInstant().isAfter(now.plus(skew))) {
            throw invalid(issuer, "it is issued in the future (" + c.getIssueTime().toInstant() + ")");
        }
        Object username = c.getClaim(issuer.usernameClaim());
        if (!(username instanceof String u) || u.isEmpty()) {
            throw invalid(issuer, "its claim '" + issuer.usernameClaim() + "' is not a non-empty string");
        }
        List<String> groups = List.of();
        if (issuer.groupsClaim().isPresent()) {
            Object g = c.getClaim(issuer.groupsClaim().get());
            if (g instanceof String s) {
                groups = List.of(s);
            } else if (g instanceof List<?> l) {
                groups = l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
            }
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("Issuer", issuer.url());
        attributes.put("Username", u);
        if (c.getSubject() != null) {
            attributes.put("Subject", c.getSubject());
        }
        ExternalIdentity id = new ExternalIdentity(ExternalIdentity.OIDC, issuer.url() + "#" + u, attributes, groups);
        return new VerifiedTokens.Verified<>(id, exp.toInstant());
    }

    /** Verifiers hold the JCA public key: building one (KeyFactory, curve parameters) costs more than a verification. */
    private JWSVerifier verifierFor(JWSAlgorithm alg, JWK key) throws JOSEException {
        String family = JWSAlgorithm.Family.RSA.contains(alg) ? "RSA" : JWSAlgorithm.Family.EC.contains(alg) ? "EC" : "OKP";
        VerifierKey cacheKey = new VerifierKey(family, key);
        JWSVerifier v = verifiers.get(cacheKey);
        if (v == null) {
            v = verifier(alg, key);
            if (v == null) {
                return null;
            }
            if (verifiers.size() > 256) {
                verifiers.clear(); // keys rotated many times: start over
            }
            verifiers.put(cacheKey, v);
        }
        return v;
    }

    private record VerifierKey(String family, JWK key) {
    }

    private static JWSVerifier verifier(JWSAlgorithm alg, JWK key) throws JOSEException {
        if (JWSAlgorithm.Family.RSA.contains(alg) && key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (JWSAlgorithm.Family.EC.contains(alg) && key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        if ((JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) && key instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp);
        }
        return null;
    }

    private Uni<Optional<Principal>> principal(ExternalIdentity id) {
        try {
            return Uni.createFrom().item(Optional.of(mapper.toPrincipal(id)));
        } catch (AuthenticationException e) {
            return Uni.createFrom().failure(e);
        }
    }

    private static Uni<Optional<Principal>> refuse(Trusted t, String why) {
        return Uni.createFrom().failure(invalid(t.issuer(), why));
    }

    private static AuthenticationException invalid(Issuer issuer, String why) {
        return AuthenticationException.invalid("OIDC token of " + issuer.url() + " refused: " + why);
    }

    @Override
    public void close() {
        client.close();
    }
}
