package dev.kubegate.identity.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session tokens: {@code kubegate-session.} followed by an ES256 JWT ({@code typ
 * kubegate-session+jwt}, {@code kid} of the signing key) whose claims carry the session id
 * ({@code jti}), the principal ({@code sub} name, {@code kgid} id, {@code kgkind}, {@code groups}),
 * the session labels and {@code iat}/{@code exp}. The prefix tells a session token from other JWTs
 * (OIDC, service accounts) without parsing.
 *
 * <p>Verification is local: a signature check against the {@link KeyRing}. A token verified once is
 * remembered (by its exact text, until it expires or a key is removed), so the ECDSA check runs once
 * per token per replica rather than once per request.
 */
public final class SessionTokens {

    public static final String PREFIX = "kubegate-session.";
    static final String ISSUER = "kubegate";
    static final JOSEObjectType TYPE = new JOSEObjectType("kubegate-session+jwt");
    /** Longest token kubegate reads; its own are well under 2 KiB even with many labels. */
    static final int MAX_LENGTH = 8192;
    private static final int MAX_CACHED = 20_000;

    /** The outcome of {@link #verify}: claims, or why not. Expired tokens still report their claims. */
    public sealed interface Verification {
        record Valid(SessionClaims claims) implements Verification { }
        record Expired(SessionClaims claims) implements Verification { }
        /** Signed with a key this replica does not know (yet): look it up, then verify again. */
        record UnknownKey(String kid) implements Verification { }
        record Invalid(String reason) implements Verification { }
    }

    private final KeyRing keys;
    private final Clock clock;
    private final Map<String, SessionClaims> verified = new ConcurrentHashMap<>();

    public SessionTokens(KeyRing keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
        keys.onRemoval(verified::clear);
    }

    public static boolean isSessionToken(String bearer) {
        return bearer.startsWith(PREFIX);
    }

    /** Signs {@code claims} with the ring's current signing key. */
    public String sign(SessionClaims claims) {
        var signer = keys.signer().orElseThrow(() -> new IllegalStateException("no session signing key is loaded"));
        JWTClaimsSet set = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(ISSUER)
                .subject(claims.principalName())
                .jwtID(claims.sessionId())
                .claim("kgid", claims.principalId())
                .claim("kgkind", claims.kind())
                .claim("groups", claims.groups())
                .claim("labels", claims.labels())
                .issueTime(Date.from(claims.issuedAt()))
                .expirationTime(Date.from(claims.expiresAt()))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).keyID(signer.getKey()).build(), set);
        try {
            jwt.sign(signer.getValue());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a session token: " + e.getMessage(), e);
        }
        return PREFIX + jwt.serialize();
    }

    /** Checks a token's form, signature and expiry. Never throws for hostile input. */
    public Verification verify(String token) {
        Instant now = clock.instant();
        SessionClaims cached = verified.get(token);
        if (cached != null) {
            if (now.isBefore(cached.expiresAt())) {
                return new Verification.Valid(cached);
            }
            verified.remove(token);
            return new Verification.Expired(cached);
        }
        Verification v = verifyUncached(token, now);
        if (v instanceof Verification.Valid ok) {
            if (verified.size() >= MAX_CACHED) {
                verified.values().removeIf(c -> !now.isBefore(c.expiresAt()));
                if (verified.size() >= MAX_CACHED) {
                    verified.clear();
                }
            }
            verified.put(token, ok.claims());
        }
        return v;
    }

    /** The full check: parse, signature, claims, expiry (what a token costs the first time a replica sees it). */
    Verification verifyUncached(String token, Instant now) {
        if (!token.startsWith(PREFIX)) {
            return new Verification.Invalid("not a kubegate session token");
        }
        if (token.length() > MAX_LENGTH) {
            return new Verification.Invalid("the session token is too long");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token.substring(PREFIX.length()));
        } catch (ParseException e) {
            return new Verification.Invalid("the session token is malformed");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || !TYPE.equals(header.getType()) || header.getKeyID() == null) {
            return new Verification.Invalid("the session token is not an ES256 kubegate session JWT");
        }
        var verifier = keys.verifier(header.getKeyID());
        if (verifier.isEmpty()) {
            return new Verification.UnknownKey(header.getKeyID());
        }
        try {
            if (!jwt.verify(verifier.get())) {
                return new Verification.Invalid("the session token's signature is not valid");
            }
        } catch (JOSEException e) {
            return new Verification.Invalid("the session token's signature is not valid");
        }
        SessionClaims claims;
        try {
            claims = claims(jwt.getJWTClaimsSet());
        } catch (ParseException | RuntimeException e) {
            return new Verification.Invalid("the session token's claims are malformed");
        }
        if (!now.isBefore(claims.expiresAt())) {
            return new Verification.Expired(claims);
        }
        return new Verification.Valid(claims);
    }

    private static SessionClaims claims(JWTClaimsSet c) throws ParseException {
        if (!ISSUER.equals(c.getIssuer()) || c.getAudience() == null || !c.getAudience().contains(ISSUER)) {
            throw new IllegalArgumentException("foreign issuer or audience");
        }
        Date iat = c.getIssueTime();
        Date exp = c.getExpirationTime();
        String jti = c.getJWTID();
        String sub = c.getSubject();
        if (iat == null || exp == null || jti == null || sub == null || c.getStringClaim("kgid") == null
                || c.getStringClaim("kgkind") == null) {
            throw new IllegalArgumentException("missing claims");
        }
        List<String> groups = c.getStringListClaim("groups");
        Map<String, Object> rawLabels = c.getJSONObjectClaim("labels");
        Map<String, String> labels = new HashMap<>();
        if (rawLabels != null) {
            rawLabels.forEach((k, v) -> labels.put(k, String.valueOf(v)));
        }
        return new SessionClaims(jti, c.getStringClaim("kgid"), sub, c.getStringClaim("kgkind"),
                groups == null ? List.of() : groups, labels, iat.toInstant(), exp.toInstant());
    }
}
