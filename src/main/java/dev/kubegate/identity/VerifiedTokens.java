package dev.kubegate.identity;

import io.smallrye.mutiny.Uni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Verification results of bearer tokens, keyed by the token's SHA-256 (the token itself is never kept),
 * each until its own expiry; and the verifications in flight, so concurrent requests presenting the
 * same new token share one call to STS / the API server. Only successes are kept.
 *
 * <p>Bounded: when full, expired entries go first, then arbitrary ones (a flood of distinct valid
 * tokens costs re-verification, never memory). Thread-safe and non-blocking.
 *
 * @param <V> the verified value (an identity), with its expiry
 */
public final class VerifiedTokens<V> {

    /** A verification result and how long it may be reused. */
    public record Verified<V>(V value, Instant expiresAt) {
    }

    private final Map<String, Verified<V>> cache = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Verified<V>>> inFlight = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;

    public VerifiedTokens(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("cache size must be at least 1");
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** The cached value of {@code token}, if verified and not yet expired. */
    public V cached(String token) {
        return cachedByDigest(digest(token));
    }

    private V cachedByDigest(String key) {
        Verified<V> v = cache.get(key);
        if (v == null) {
            return null;
        }
        if (!clock.instant().isBefore(v.expiresAt())) {
            cache.remove(key, v);
            return null;
        }
        return v.value();
    }

    /**
     * The value for {@code token}: from the cache, or from {@code verify} (called once however many
     * requests ask at the same time). A failed verification is not cached.
     */
    public Uni<V> get(String token, Function<String, Uni<Verified<V>>> verify) {
        String key = digest(token);
        V hit = cachedByDigest(key);
        if (hit != null) {
            return Uni.createFrom().item(hit);
        }
        CompletableFuture<Verified<V>> mine = new CompletableFuture<>();
        CompletableFuture<Verified<V>> running = inFlight.putIfAbsent(key, mine);
        if (running == null) {
            running = mine;
            Uni<Verified<V>> verification;
            try {
                verification = verify.apply(token);
            } catch (RuntimeException e) {
                verification = Uni.createFrom().failure(e);
            }
            verification.subscribe().with(v -> {
                put(key, v);
                inFlight.remove(key, mine);
                mine.complete(v);
            }, failure -> {
                inFlight.remove(key, mine);
                mine.completeExceptionally(failure);
            });
        }
        return Uni.createFrom().completionStage(running).map(Verified::value);
    }

    private void put(String key, Verified<V> v) {
        if (!clock.instant().isBefore(v.expiresAt())) {
            return;
        }
        if (cache.size() >= maxEntries) {
            evict();
        }
        cache.put(key, v);
    }

    private void evict() {
        Instant now = clock.instant();
        cache.values().removeIf(v -> !now.isBefore(v.expiresAt()));
        Iterator<String> it = cache.keySet().iterator();
        while (cache.size() >= maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    public int size() {
        return cache.size();
    }

    public void clear() {
        cache.clear();
    }

    static String digest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
