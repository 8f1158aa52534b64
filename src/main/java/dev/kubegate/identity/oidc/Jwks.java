package dev.kubegate.identity.oidc;

import dev.kubegate.k8s.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import dev.kubegate.identity.AuthenticationException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One issuer's signing keys: found through OpenID discovery ({@code <issuer>/.well-known/openid-configuration}
 * → {@code jwks_uri}) or a configured JWKS URL, fetched with the non-blocking Vert.x client, kept in
 * memory. Refetched when a token names a key id we do not have (at most once per {@code minRefresh},
 * so a flood of made-up key ids cannot hammer the issuer) and when the keys are older than
 * {@code maxAge}; concurrent refreshes share one fetch. While the issuer is unreachable the last keys
 * stay in use; without any keys, verification is unavailable (503).
 */
final class Jwks {

    static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Keys(JWKSet set, Instant fetchedAt) {
    }

    private final io.vertx.core.Vertx vertx;
    private final HttpClient client;
    private final String issuer;
    private final Optional<String> jwksUrl;
    private final Duration minRefresh;
    private final Duration maxAge;
    private final Duration timeout;
    private final Clock clock;
    private final AtomicReference<Keys> keys = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Keys>> fetching = new AtomicReference<>();
    private volatile Instant lastAttempt = Instant.EPOCH;

    Jwks(io.vertx.core.Vertx vertx, HttpClient client, String issuer, Optional<String> jwksUrl, Duration minRefresh, Duration maxAge, Duration timeout, Clock clock) {
        this.vertx = vertx;
        this.client = client;
        this.issuer = issuer;
        this.jwksUrl = jwksUrl;
        this.minRefresh = minRefresh;
        this.maxAge = maxAge;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The current keys; refreshed first when {@code kid} is unknown (rate-limited) or the keys are stale. */
    Uni<JWKSet> keysFor(String kid) {
        Keys k = keys.get();
        Instant now = clock.instant();
        boolean known = k != null && (kid == null || k.set().getKeyByKeyId(kid) != null);
        boolean stale = k != null && now.isAfter(k.fetchedAt().plus(maxAge));
        if (known && !stale) {
            return Uni.createFrom().item(k.set());
        }
        CompletableFuture<Keys> running = fetching.get();
        boolean mayFetch = running != null || k == null && now.isAfter(lastAttempt.plusSeconds(1))
                || !now.isBefore(lastAttempt.plus(minRefresh));
        if (!mayFetch) {
            // Rate-limited: answer with what we have (an unknown key id then fails as invalid).
            return k != null ? Uni.createFrom().item(k.set()) : Uni.createFrom().failure(AuthenticationException.unavailable(
                    "the signing keys of " + issuer + " could not be fetched; retry shortly", null));
        }
        return Uni.createFrom().completionStage(running != null ? running : refresh()).map(Keys::set)
                .onFailure().recoverWithUni(f -> k != null ? Uni.createFrom().item(k.set()) : Uni.createFrom().failure(
                        AuthenticationException.unavailable("cannot fetch the signing keys of " + issuer + ": " + Status.describe(f), f)));
    }

    private CompletableFuture<Keys> refresh() {
        CompletableFuture<Keys> mine = new CompletableFuture<>();
        CompletableFuture<Keys> running = fetching.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        lastAttempt = clock.instant();
        // Started on a Vert.x context: response handlers must be set on its thread before the body arrives.
        Promise<String> fetched = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> jwksUrl.map(Future::succeededFuture).orElseGet(this::discover)
                .compose(this::get).onComplete(fetched));
        fetched.future().map(body -> {
                    try {
                        return new Keys(JWKSet.parse(body), clock.instant());
                    } catch (java.text.ParseException e) {
                        throw new IllegalArgumentException("the JWKS is not a valid key set: " + e.getMessage());
                    }
                })
                .toCompletionStage().toCompletableFuture()
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((k, f) -> {
                    fetching.set(null);
                    if (f == null) {
                        keys.set(k);
                        mine.complete(k);
                    } else {
                        mine.completeExceptionally(f instanceof TimeoutException ? new TimeoutException("no answer within " + timeout) : f);
                    }
                });
        return mine;
    }

    private Future<String> discover() {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return get(base + "/.well-known/openid-configuration").map(body -> {
            JsonNode doc;
            try {
                doc = JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("the discovery document is not JSON");
            }
            if (!issuer.equals(doc.path("issuer").asText())) {
                throw new IllegalArgumentException("the discovery document names the issuer '" + doc.path("issuer").asText()
                        + "', not '" + issuer + "'");
            }
            String jwks = doc.path("jwks_uri").asText("");
            URI u = URI.create(jwks);
            if (!"https".equals(u.getScheme()) && !"http".equals(URI.create(issuer).getScheme())) {
                throw new IllegalArgumentException("the discovery document's jwks_uri is not an https URL: '" + jwks + "'");
            }
            return jwks;
        });
    }

    private Future<String> get(String url) {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                        .setFollowRedirects(false).setIdleTimeout(timeout.toMillis()).putHeader("Accept", "application/json"))
                .compose(req -> req.send())
                .compose(resp -> {
                    if (resp.statusCode() != 200) {
                        resp.request().reset();
                        return Future.failedFuture(new IllegalStateException(url + " answered " + resp.statusCode()));
                    }
                    Promise<String> p = Promise.promise();
                    Buffer body = Buffer.buffer();
                    resp.handler(chunk -> {
                        if (body.length() + chunk.length() > MAX_DOCUMENT_BYTES) {
                            resp.request().reset();
                            p.tryFail(new IllegalStateException(url + " answered with over " + MAX_DOCUMENT_BYTES + " bytes"));
                        } else {
                            body.appendBuffer(chunk);
                        }
                    });
                    resp.exceptionHandler(p::tryFail);
                    resp.endHandler(v -> p.tryComplete(body.toString()));
                    return p.future();
                });
    }
}
