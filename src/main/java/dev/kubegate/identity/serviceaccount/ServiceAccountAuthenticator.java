package dev.kubegate.identity.serviceaccount;

import dev.kubegate.k8s.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.Jwts;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.VerifiedTokens;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.upstream.UpstreamClient;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Kubernetes service-account tokens, checked by the upstream cluster itself: a TokenReview
 * ({@code POST /apis/authentication.k8s.io/v1/tokenreviews}) sent with the gateway's own identity
 * (which needs {@code create} on {@code tokenreviews}), optionally for given audiences. A positive
 * answer is reused for a short while (a deleted service account or pod is noticed within that time).
 *
 * <p>Claims only JWTs that look like service-account tokens (a {@code kubernetes.io} claim, or the
 * legacy issuer {@code kubernetes/serviceaccount}), so other JWTs are never sent to the cluster.
 * Refused tokens → 401; the cluster unreachable, or refusing the review itself → 503.
 */
public final class ServiceAccountAuthenticator implements Authenticator {

    static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final String PREFIX = "system:serviceaccount:";
    static final int MAX_ANSWER_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final List<String> audiences;
    private final IdentityMapper mapper;
    private final Duration cacheTtl;
    private final Duration timeout;
    private final VerifiedTokens<ExternalIdentity> verified;
    private final Clock clock;

    public ServiceAccountAuthenticator(Vertx vertx, UpstreamClient upstream, List<String> audiences, IdentityMapper mapper,
                                       Duration cacheTtl, int cacheSize, Duration timeout, Clock clock) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.audiences = List.copyOf(audiences);
        this.mapper = mapper;
        this.cacheTtl = cacheTtl;
        this.timeout = timeout;
        this.verified = new VerifiedTokens<>(cacheSize, clock);
        this.clock = clock;
    }

    /** Whether the unverified claims look like a service-account token's. */
    static boolean looksLikeServiceAccountToken(JsonNode claims) {
        return claims.path("kubernetes.io").isObject() || "kubernetes/serviceaccount".equals(claims.path("iss").asText(""));
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
        if (claims.isEmpty() || !looksLikeServiceAccountToken(claims.get())) {
            return Uni.createFrom().item(Optional.empty());
        }
        Instant until = clock.instant().plus(cacheTtl);
        JsonNode exp = claims.get().path("exp");
        if (exp.canConvertToLong() && Instant.ofEpochSecond(exp.asLong()).isBefore(until)) {
            until = Instant.ofEpochSecond(exp.asLong());
        }
        Instant cacheUntil = until;
        return verified.get(bearerToken, t -> review(t).map(id -> new VerifiedTokens.Verified<>(id, cacheUntil)))
                .flatMap(this::principal);
    }

    private Uni<ExternalIdentity> review(String token) {
        ObjectNode body = JSON.createObjectNode().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
        ObjectNode spec = body.putObject("spec").put("token", token);
        if (!audiences.isEmpty()) {
            audiences.forEach(spec.putArray("audiences")::add);
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json").add("Accept", "application/json");
        Promise<ExternalIdentity> reviewed = Promise.promise();
        // Started on a Vert.x context: response handlers must be set on its thread before the body arrives.
        vertx.getOrCreateContext().runOnContext(v -> upstream.request(HttpMethod.POST, PATH, headers)
                .compose(req -> {
                    req.idleTimeout(timeout.toMillis());
                    return req.send(Buffer.buffer(body.toString()));
                })
                .compose(resp -> readBounded(resp).map(answer -> interpret(resp.statusCode(), answer)))
                .onComplete(reviewed));
        return Uni.createFrom().completionStage(reviewed.future().toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer within " + timeout))
                .onFailure(f -> !(f instanceof AuthenticationException))
                .transform(f -> AuthenticationException.unavailable(
                        "kubegate could not review the service-account token with the cluster: " + Status.describe(f), f));
    }

    ExternalIdentity interpret(int status, Buffer answer) {
        if (status == 401 || status == 403) {
            throw AuthenticationException.unavailable("the cluster refused kubegate's TokenReview (" + status
                    + "): the gateway's identity needs 'create' on tokenreviews.authentication.k8s.io", null);
        }
        if (status != 200 && status != 201) {
            throw AuthenticationException.unavailable("the cluster answered the TokenReview with " + status, null);
        }
        JsonNode s;
        try {
            s = JSON.readTree(answer.getBytes()).path("status");
        } catch (IOException e) {
            throw AuthenticationException.unavailable("the cluster's TokenReview answer is not JSON", e);
        }
        if (!s.path("authenticated").asBoolean(false)) {
            String error = s.path("error").asText("");
            throw AuthenticationException.invalid("service-account token refused by the cluster"
                    + (error.isEmpty() ? "" : ": " + error));
        }
        String username = s.path("user").path("username").asText("");
        if (!username.startsWith(PREFIX) || username.substring(PREFIX.length()).split(":", -1).length != 2) {
            throw AuthenticationException.invalid("the token authenticates '" + username + "', which is not a service account");
        }
        String[] nsName = username.substring(PREFIX.length()).split(":", -1);
        Map<String, String> attributes = new HashMap<>();
        attributes.put("Namespace", nsName[0]);
        attributes.put("ServiceAccount", nsName[1]);
        String uid = s.path("user").path("uid").asText("");
        if (!uid.isEmpty()) {
            attributes.put("UID", uid);
        }
        JsonNode pod = s.path("user").path("extra").path("authentication.kubernetes.io/pod-name");
        if (pod.isArray() && !pod.isEmpty()) {
            attributes.put("PodName", pod.get(0).asText());
        }
        List<String> groups = new ArrayList<>();
        s.path("user").path("groups").forEach(g -> groups.add(g.asText()));
        return new ExternalIdentity(ExternalIdentity.SERVICE_ACCOUNT, username, attributes, groups);
    }

    private static Future<Buffer> readBounded(HttpClientResponse resp) {
        Promise<Buffer> p = Promise.promise();
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
                resp.request().reset();
                p.tryFail(new IllegalStateException("the TokenReview answer is over " + MAX_ANSWER_BYTES + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(p::tryFail);
        resp.endHandler(v -> p.tryComplete(body));
        return p.future();
    }

    private Uni<Optional<Principal>> principal(ExternalIdentity id) {
        try {
            return Uni.createFrom().item(Optional.of(mapper.toPrincipal(id)));
        } catch (AuthenticationException e) {
            return Uni.createFrom().failure(e);
        }
    }
}
