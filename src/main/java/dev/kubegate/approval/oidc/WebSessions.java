package dev.kubegate.approval.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.Approver;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The web page's signed-in people, in the shared store (any replica knows the cookie): kind
 * {@value #KIND}, keyed by the SHA-256 of the cookie value (a copy of the store yields no usable
 * cookie), holding the person, the CSRF token every state-changing call must echo, and the ID
 * token for the issuer's logout. Sign-ins in progress (state, nonce, PKCE verifier) are kind
 * {@value #LOGIN_KIND} for ten minutes, used once.
 */
@ApplicationScoped
public class WebSessions {

    public static final String KIND = "web-session";
    public static final String LOGIN_KIND = "oidc-login";
    public static final Duration LOGIN_TTL = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    StateStore store;

    @Inject
    KubegateConfig config;

    Clock clock = Clock.systemUTC();

    /** A signed-in person with the session's CSRF token and ID token. */
    public record Session(Approver person, String csrf, String idToken, Instant expiresAt) {
    }

    /** A sign-in started: what the callback must check and send. */
    public record Login(String state, String nonce, String verifier) {
    }

    public static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** PKCE S256 challenge of {@code verifier} (RFC 7636 section 4.2). */
    public static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    public Uni<Login> startLogin() {
        Login l = new Login(random(), random(), random());
        ObjectNode n = JSON.createObjectNode().put("nonce", l.nonce()).put("verifier", l.verifier());
        return store.create(LOGIN_KIND, l.state(), n.toString(), clock.instant().plus(LOGIN_TTL)).replaceWith(l);
    }

    /** The sign-in of {@code state}, removed so it cannot be completed twice; empty when unknown or expired. */
    public Uni<Optional<Login>> finishLogin(String state) {
        return store.get(LOGIN_KIND, state).flatMap(d -> {
            if (d.isEmpty()) {
                return Uni.createFrom().item(Optional.<Login>empty());
            }
            return store.delete(LOGIN_KIND, state).map(deleted -> {
                if (!deleted) {
                    return Optional.<Login>empty(); // another request finished it first
                }
                JsonNode n = read(d.get().json());
                return Optional.of(new Login(state, n.path("nonce").asText(), n.path("verifier").asText()));
            });
        });
    }

    /** Opens a session for {@code person}; answers the cookie value (only the browser keeps it). */
    public Uni<String> open(Approver person, String idToken, Instant notAfter) {
        String cookie = random();
        Instant until = clock.instant().plus(config.approvers().oidc().sessionTtl());
        if (notAfter != null && notAfter.isBefore(until) && notAfter.isAfter(clock.instant())) {
            until = notAfter;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("name", person.name());
        person.groups().forEach(n.withArray("groups")::add);
        person.identities().forEach(n.withArray("identities")::add);
        n.put("realm", person.realm());
        n.put("csrf", random());
        n.put("idToken", idToken);
        return store.create(KIND, id(cookie), n.toString(), until).replaceWith(cookie);
    }

    public Uni<Optional<Session>> find(String cookie) {
        if (cookie == null || cookie.isEmpty() || cookie.length() > 100) {
            return Uni.createFrom().item(Optional.empty());
        }
        return store.get(KIND, id(cookie)).map(d -> d.map(doc -> {
            JsonNode n = read(doc.json());
            List<String> groups = new ArrayList<>();
            n.path("groups").forEach(g -> groups.add(g.asText()));
            List<String> ids = new ArrayList<>();
            n.path("identities").forEach(i -> ids.add(i.asText()));
            return new Session(new Approver(n.path("name").asText(), groups, n.path("realm").asText(OidcApprovers.REALM), ids),
                    n.path("csrf").asText(), n.path("idToken").asText(null), doc.expiresAt());
        }));
    }

    public Uni<Boolean> close(String cookie) {
        return store.delete(KIND, id(cookie));
    }

    /** Constant-time comparison of the CSRF token a call sent with the session's. */
    public static boolean csrfMatches(Session s, String sent) {
        return sent != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }

    private static String id(String cookie) {
        return HexFormat.of().formatHex(sha256(cookie.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable web session record", e);
        }
    }
}
