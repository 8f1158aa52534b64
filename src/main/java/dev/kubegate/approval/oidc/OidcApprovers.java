package dev.kubegate.approval.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.Approver;
import dev.kubegate.approval.ApproverRealm;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.Jwts;
import dev.kubegate.identity.VerifiedTokens;
import dev.kubegate.k8s.Status;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Approvers and admins signed in at the configured OIDC issuer ({@code kubegate.approvers.oidc.*}):
 * a bearer token is accepted when its signature verifies with one of the issuer's published keys
 * (RS*, PS*, ES*; never {@code none} or HMAC), {@code iss} is exactly the issuer, {@code aud} holds an
 * accepted audience and {@code exp} has not passed. The approver is named by the username claim, has
 * the groups claim's groups, and carries {@code <issuer>#<sub|username|email>} as verified identities,
 * the form an agent's OIDC principal id takes: the self-approval check compares those, never only
 * names. Tokens of other issuers are not this realm's (empty), so the admin-token realm still works
 * beside it.
 */
@ApplicationScoped
public class OidcApprovers implements ApproverRealm {

    private static final Logger LOG = Logger.getLogger(OidcApprovers.class);
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    public static final String REALM = "oidc";

    @Inject
    KubegateConfig config;

    @Inject
    Vertx vertx;

    @Inject
    PeopleDirectory directory;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    Clock clock = Clock.systemUTC();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final VerifiedTokens<Approver> verified = new VerifiedTokens<>(4096, Clock.systemUTC());
    private volatile OidcProvider provider;
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private volatile JWKSource<SecurityContext> keys;
    private volatile String problem = "not discovered yet";
    private String issuer;
    private volatile String clientSecret;
    private List<String> audiences;

    /** Checks the settings (a start-up error when they cannot work), then discovers the issuer until it answers. */
    void start(@Observes StartupEvent event) {
        KubegateConfig.Approvers.Oidc oidc = config.approvers().oidc();
        if (oidc.issuer().isEmpty() || !serving) {
            return;
        }
        issuer = oidc.issuer().get().strip();
        URI u = URI.create(issuer);
        if (!OidcProvider.secure(u)) {
            throw new IllegalStateException("kubegate.approvers.oidc.issuer " + issuer + " must be https (plain http only on this machine)");
        }
        String client = oidc.clientId().orElseThrow(() -> new IllegalStateException(
                "kubegate.approvers.oidc.issuer is set but kubegate.approvers.oidc.client-id is not: tokens need an audience to be checked against"));
        audiences = oidc.audiences().filter(a -> !a.isEmpty()).orElse(List.of(client));
        clientSecret = oidc.clientSecretFile().map(OidcApprovers::readSecret).orElse(null);
        discover();
    }

    private void discover() {
        Duration timeout = config.approvers().oidc().fetchTimeout();
        URI doc = OidcProvider.discoveryUri(issuer);
        http.sendAsync(HttpRequest.newBuilder(doc).timeout(timeout).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString()).whenComplete((resp, failure) -> {
            try {
                if (failure != null) {
                    throw new IllegalStateException("cannot reach " + doc + ": " + Status.describe(failure));
                }
                if (resp.statusCode() != 200) {
                    throw new IllegalStateException(doc + " answered HTTP " + resp.statusCode());
                }
                OidcProvider p = OidcProvider.parse(issuer, resp.body());
                processor = processor(p, timeout);
                provider = p;
                LOG.infof("approvers' OIDC issuer %s: discovered (keys at %s)", issuer, p.jwksUri());
                if (config.approvers().oidc().clientSecretFile().isEmpty()) {
                    problem = null;
                } else {
                    checkClientCredentials(p);
                }
            } catch (RuntimeException e) {
                problem = e.getMessage();
                LOG.errorf("approvers' OIDC issuer %s is not usable: %s; OIDC tokens are refused until it is (retrying every 10 s)", issuer, problem);
                vertx.setTimer(10_000, t -> discover());
            }
        });
    }

    /** Read once at start (never on an event loop); an unreadable or empty file stops the start. */
    private static String readSecret(java.nio.file.Path file) {
        try {
            String secret = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new IllegalStateException("kubegate.approvers.oidc.client-secret-file " + file + " is empty");
            }
            return secret;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read kubegate.approvers.oidc.client-secret-file " + file + ": " + e.getMessage());
        }
    }

    /** kubegate's client id and secret as the Basic credentials of the token endpoint (RFC 6749 section 2.3.1). */
    private String clientBasicAuth() {
        KubegateConfig.Approvers.Oidc oidc = config.approvers().oidc();
        String secret = clientSecret;
        java.util.function.UnaryOperator<String> enc = v -> java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
        return "Basic " + java.util.Base64.getEncoder().encodeToString((enc.apply(oidc.clientId().orElseThrow()) + ":" + enc.apply(secret))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Redeems a code that cannot exist with kubegate's client credentials: an issuer answers
     * {@code invalid_grant} to a client it authenticated and {@code invalid_client} (or 401) to a
     * wrong id or secret (RFC 6749 section 5.2), so a wrong secret shows at start, not at the first sign-in.
     */
    private void checkClientCredentials(OidcProvider p) {
        String body = "grant_type=authorization_code&code=kubegate-credential-check&redirect_uri="
                + java.net.URLEncoder.encode(issuer, java.nio.charset.StandardCharsets.UTF_8);
        String auth = clientBasicAuth();
        http.sendAsync(HttpRequest.newBuilder(p.tokenEndpoint()).timeout(config.approvers().oidc().fetchTimeout())
                        .header("Authorization", auth).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((resp, failure) -> {
                    String why = null;
                    if (failure != null) {
                        why = "cannot reach the token endpoint " + p.tokenEndpoint() + ": " + Status.describe(failure);
                    } else if (resp.statusCode() == 401 || resp.body().contains("\"invalid_client\"") || resp.body().contains("\"unauthorized_client\"")) {
                        why = "the issuer refused kubegate's client credentials (" + resp.statusCode() + " " + resp.body().strip()
                                + "): check kubegate.approvers.oidc.client-id and client-secret-file";
                    }
                    problem = why;
                    if (why != null) {
                        LOG.errorf("approvers' OIDC issuer %s: %s; retrying every 60 s", issuer, why);
                        vertx.setTimer(60_000, t -> checkClientCredentials(p));
                    } else {
                        LOG.infof("approvers' OIDC issuer %s: kubegate's client credentials are accepted", issuer);
                    }
                });
    }

    private DefaultJWTProcessor<SecurityContext> processor(OidcProvider p, Duration timeout) {
        JWKSource<SecurityContext> keys;
        try {
            int ms = (int) timeout.toMillis();
            keys = JWKSourceBuilder.<SecurityContext>create(p.jwksUri().toURL(), new DefaultResourceRetriever(ms, ms, 512 * 1024))
                    .retrying(true).build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("jwks_uri " + p.jwksUri() + " is not a URL");
        }
        this.keys = keys;
        DefaultJWTProcessor<SecurityContext> proc = new DefaultJWTProcessor<>();
        proc.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(new HashSet<>(audiences),
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp", "iss", "aud", "sub"), null);
        claims.setMaxClockSkew((int) config.approvers().oidc().clockSkew().toSeconds());
        proc.setJWTClaimsSetVerifier(claims);
        return proc;
    }

    @Override
    public boolean configured() {
        return issuer != null;
    }

    /** Null when usable; else why OIDC tokens are refused now (readiness says it). */
    public String problem() {
        return issuer == null ? null : problem;
    }

    public Optional<OidcProvider> provider() {
        return Optional.ofNullable(provider);
    }

    /** Whether {@code token} is a JWT this realm's issuer claims to have issued (so no other realm should judge it). */
    public boolean claims(String token) {
        return issuer != null && Jwts.isJwtShaped(token)
                && Jwts.unverifiedClaims(token).map(c -> issuer.equals(c.path("iss").asText(""))).orElse(false);
    }

    @Override
    public Uni<Optional<Approver>> authenticate(String bearerToken) {
        if (bearerToken == null || !claims(bearerToken)) {
            return Uni.createFrom().item(Optional.empty());
        }
        DefaultJWTProcessor<SecurityContext> proc = processor;
        if (proc == null) {
            return Uni.createFrom().failure(new ApprovalException(Status.serviceUnavailable(
                    "kubegate cannot verify tokens of " + issuer + " right now (" + problem + "); retry shortly or use an admin token")));
        }
        return verified.get(bearerToken, t -> Uni.createFrom().item(() -> verify(proc, t))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .map(Optional::of);
    }

    private VerifiedTokens.Verified<Approver> verify(DefaultJWTProcessor<SecurityContext> proc, String token) {
        JWTClaimsSet c;
        try {
            c = proc.process(token, null);
        } catch (KeySourceException e) {
            throw new ApprovalException(Status.serviceUnavailable("kubegate cannot fetch the signing keys of " + issuer
                    + " (" + Status.describe(e) + "); retry shortly"));
        } catch (BadJOSEException | com.nimbusds.jose.JOSEException | java.text.ParseException e) {
            String why = String.valueOf(e.getMessage());
            throw new ApprovalException(Status.unauthorized("the OIDC token of " + issuer + " is refused: " + why
                    + (why.contains(" aud ") ? " (accepted audiences: " + String.join(", ", audiences) + ")" : "")));
        }
        Approver a = approver(c);
        email(c).ifPresent(e -> directory.remember(e, a));
        return new VerifiedTokens.Verified<>(a, c.getExpirationTime().toInstant());
    }

    /** A person signed in through the web page: who, their ID token (for logout) and when it ends. */
    public record SignedIn(Approver person, String idToken, java.time.Instant expiresAt) {
    }

    /**
     * Redeems an authorization code (with the PKCE verifier and kubegate's client secret) and
     * verifies the ID token: signature, issuer, audience = the client id, expiry and {@code nonce}.
     */
    public Uni<SignedIn> redeem(String code, String redirectUri, String verifier, String nonce) {
        OidcProvider p = provider;
        JWKSource<SecurityContext> k = keys;
        if (p == null || k == null) {
            return Uni.createFrom().failure(new ApprovalException(Status.serviceUnavailable(
                    "kubegate cannot use its OIDC issuer right now (" + problem + ")")));
        }
        java.util.function.UnaryOperator<String> enc = v -> java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
        String body = "grant_type=authorization_code&code=" + enc.apply(code) + "&redirect_uri=" + enc.apply(redirectUri)
                + "&code_verifier=" + enc.apply(verifier);
        HttpRequest req = HttpRequest.newBuilder(p.tokenEndpoint()).timeout(config.approvers().oidc().fetchTimeout())
                .header("Authorization", clientBasicAuth()).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(req, HttpResponse.BodyHandlers.ofString()))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(resp -> {
                    com.fasterxml.jackson.databind.JsonNode t;
                    try {
                        t = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body());
                    } catch (Exception e) {
                        throw new ApprovalException(Status.serviceUnavailable("the issuer's token endpoint answered HTTP "
                                + resp.statusCode() + " without JSON"));
                    }
                    if (resp.statusCode() != 200 || !t.hasNonNull("id_token")) {
                        throw new ApprovalException(Status.unauthorized("the issuer did not complete the sign-in: "
                                + t.path("error").asText("HTTP " + resp.statusCode()) + " " + t.path("error_description").asText("")));
                    }
                    String idToken = t.get("id_token").asText();
                    DefaultJWTProcessor<SecurityContext> proc = new DefaultJWTProcessor<>();
                    proc.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, k));
                    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                            Set.of(config.approvers().oidc().clientId().orElseThrow()),
                            new JWTClaimsSet.Builder().issuer(issuer).claim("nonce", nonce).build(), Set.of("exp", "iss", "aud", "sub", "nonce"), null);
                    claims.setMaxClockSkew((int) config.approvers().oidc().clockSkew().toSeconds());
                    proc.setJWTClaimsSetVerifier(claims);
                    JWTClaimsSet c;
                    try {
                        c = proc.process(idToken, null);
                    } catch (BadJOSEException | com.nimbusds.jose.JOSEException | java.text.ParseException e) {
                        throw new ApprovalException(Status.unauthorized("the ID token of " + issuer + " is refused: " + e.getMessage()));
                    }
                    Approver a = approver(c);
                    email(c).ifPresent(e -> directory.remember(e, a));
                    return new SignedIn(a, idToken, c.getExpirationTime().toInstant());
                });
    }

    /** The approver the verified claims describe. */
    Approver approver(JWTClaimsSet c) {
        KubegateConfig.Approvers.Oidc oidc = config.approvers().oidc();
        Object name = c.getClaim(oidc.usernameClaim());
        if (!(name instanceof String n) || n.isBlank()) {
            throw new ApprovalException(Status.unauthorized("the OIDC token of " + issuer + " has no string claim \""
                    + oidc.usernameClaim() + "\" to name you by (kubegate.approvers.oidc.username-claim)"));
        }
        List<String> groups = new ArrayList<>();
        Object g = c.getClaim(oidc.groupsClaim());
        if (g instanceof String s) {
            groups.add(s);
        } else if (g instanceof List<?> l) {
            l.stream().filter(String.class::isInstance).map(String.class::cast)
                    // Keycloak may send full paths ("/kubegate-approvers"); the group is the last segment's name either way.
                    .map(x -> x.startsWith("/") ? x.substring(x.lastIndexOf('/') + 1) : x).forEach(groups::add);
        }
        Set<String> ids = new LinkedHashSet<>();
        ids.add(issuer + "#" + c.getSubject());
        ids.add(issuer + "#" + n);
        email(c).ifPresent(e -> ids.add(issuer + "#" + e));
        return new Approver(n, groups, REALM, List.copyOf(ids));
    }

    Optional<String> email(JWTClaimsSet c) {
        Object e = c.getClaim(config.approvers().oidc().emailClaim());
        Object verifiedEmail = c.getClaim("email_verified");
        // An unverified address proves nothing about who clicks in Slack.
        return e instanceof String s && !s.isBlank() && !Boolean.FALSE.equals(verifiedEmail)
                ? Optional.of(s.toLowerCase(java.util.Locale.ROOT)) : Optional.empty();
    }
}
