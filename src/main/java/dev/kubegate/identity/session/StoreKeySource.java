package dev.kubegate.identity.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signing keys without a shared secret: each replica makes its own EC P-256 key pair in memory
 * (a new one every {@code rotation}), publishes the public half in the state store (kind
 * {@value #KIND}, id = kid) and signs with the private half, which never leaves the process. Every
 * replica verifies with every published key; a key's document expires once the last token it can
 * have signed has expired, and the ring drops it then. A replica that restarts makes a new key; the
 * tokens its predecessor signed stay valid through the published public key.
 */
public final class StoreKeySource implements KeySource {

    public static final String KIND = "session-signing-key";
    private static final Logger LOG = Logger.getLogger(StoreKeySource.class);
    private static final Duration SKEW = Duration.ofMinutes(1);
    private static final DateTimeFormatter KID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /** The stored document: the public JWK and the time window of the key. */
    record Published(@JsonProperty("jwk") Map<String, Object> jwk, Instant createdAt, Instant signUntil) {
    }

    private final StateStore store;
    private final KeyRing ring;
    private final Clock clock;
    private final Duration rotation;
    private final Duration maxTtl;
    private final SecureRandom random = new SecureRandom();
    /** Unknown kids looked up recently, so a stream of forged kids costs one store read each per interval. */
    private final Map<String, Instant> missing = new ConcurrentHashMap<>();
    private volatile Instant signUntil;
    private AutoCloseable subscription;

    public StoreKeySource(StateStore store, KeyRing ring, Clock clock, Duration rotation, Duration maxTtl) {
        this.store = store;
        this.ring = ring;
        this.clock = clock;
        this.rotation = rotation;
        this.maxTtl = maxTtl;
    }

    @Override
    public Uni<Void> start() {
        subscription = store.subscribe(c -> {
            if (c.resync()) {
                loadAll().subscribe().with(v -> { }, e -> LOG.warnf("cannot reload session keys: %s", e.getMessage()));
            } else if (KIND.equals(c.kind())) {
                if (c.deleted()) {
                    ring.remove(c.id());
                } else {
                    fetch(c.id()).subscribe().with(v -> { }, e -> LOG.debugf("cannot read session key %s: %s", c.id(), e.getMessage()));
                }
            }
        });
        return loadAll().flatMap(v -> rotate());
    }

    @Override
    public Uni<Void> maintain() {
        ring.purge(clock.instant());
        missing.values().removeIf(until -> until.isBefore(clock.instant()));
        Instant until = signUntil;
        return until == null || !clock.instant().isBefore(until) ? rotate() : Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Boolean> lookup(String kid) {
        Instant now = clock.instant();
        Instant retry = missing.get(kid);
        if (retry != null && now.isBefore(retry)) {
            return Uni.createFrom().item(false);
        }
        if (missing.size() > 10_000) {
            missing.clear();
        }
        missing.put(kid, now.plusSeconds(5));
        return fetch(kid).map(found -> {
            if (found) missing.remove(kid);
            return found;
        });
    }

    @Override
    public void stop() {
        try {
            if (subscription != null) subscription.close();
        } catch (Exception e) {
            LOG.debug("closing the key subscription", e);
        }
    }

    /** A new key: published first, then used, so no replica sees a token before it can see the key. */
    private Uni<Void> rotate() {
        Instant now = clock.instant();
        String kid = KID_TIME.format(now) + "-" + HexFormat.of().formatHex(bytes(6));
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            return Uni.createFrom().failure(e);
        }
        Instant until = now.plus(rotation);
        Instant usableUntil = until.plus(maxTtl).plus(SKEW);
        Published doc = new Published(key.toPublicJWK().toJSONObject(), now, until);
        return store.create(KIND, kid, Json.write(doc), usableUntil).invoke(d -> {
            ring.sign(key, usableUntil);
            signUntil = until;
            LOG.infof("session tokens are now signed with key %s (until %s)", kid, until);
        }).replaceWithVoid();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private Uni<Void> loadAll() {
        return store.list(KIND).invoke(docs -> {
            Set<String> kids = new HashSet<>();
            for (StateStore.Document d : docs) {
                if (add(d)) kids.add(d.id());
            }
            ring.retainOnly(kids);
        }).replaceWithVoid();
    }

    private Uni<Boolean> fetch(String kid) {
        return store.get(KIND, kid).map(d -> d.isPresent() && add(d.get()));
    }

    private boolean add(StateStore.Document d) {
        try {
            Published p = Json.read(d.json(), Published.class);
            ECKey key = ECKey.parse(p.jwk());
            if (!d.id().equals(key.getKeyID()) || key.isPrivate()) {
                LOG.warnf("ignoring session key document %s: its key id differs or it holds a private key", d.id());
                return false;
            }
            ring.verifyWith(key, d.expiresAt());
            return true;
        } catch (ParseException | RuntimeException e) {
            LOG.warnf("ignoring unreadable session key document %s: %s", d.id(), e.getMessage());
            return false;
        }
    }
}
