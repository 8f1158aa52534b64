package dev.kubegate.identity.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys session tokens are signed and verified with, by {@code kid}: at most one signing key (a
 * private EC P-256 key) and any number of verification keys (public halves, this replica's and other
 * replicas'). Readers see an immutable snapshot (one volatile read on the hot path); writers replace it.
 */
public final class KeyRing {

    /** A verification key and until when tokens signed with it may still be presented. */
    record Verifying(JWSVerifier verifier, Instant usableUntil) {
    }

    private record Snapshot(String signingKid, JWSSigner signer, Map<String, Verifying> verifiers) {
    }

    private volatile Snapshot snapshot = new Snapshot(null, null, Map.of());
    private volatile Runnable onRemoval = () -> { };

    /** Called after a key was removed (cached verifications made with it must go). */
    void onRemoval(Runnable r) {
        onRemoval = r;
    }

    /** Signs from now on with {@code key} (private); its public half verifies until {@code usableUntil}. */
    public synchronized void sign(ECKey key, Instant usableUntil) {
        requireP256(key);
        try {
            Map<String, Verifying> v = new HashMap<>(snapshot.verifiers);
            v.put(key.getKeyID(), new Verifying(new ECDSAVerifier(key.toPublicJWK()), usableUntil));
            snapshot = new Snapshot(key.getKeyID(), new ECDSASigner(key), Map.copyOf(v));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable signing key " + key.getKeyID() + ": " + e.getMessage(), e);
        }
    }

    /** Adds or replaces a verification key (its private half, if any, is not used). */
    public synchronized void verifyWith(ECKey key, Instant usableUntil) {
        requireP256(key);
        try {
            Map<String, Verifying> v = new HashMap<>(snapshot.verifiers);
            v.put(key.getKeyID(), new Verifying(new ECDSAVerifier(key.toPublicJWK()), usableUntil));
            snapshot = new Snapshot(snapshot.signingKid, snapshot.signer, Map.copyOf(v));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable verification key " + key.getKeyID() + ": " + e.getMessage(), e);
        }
    }

    /** Keeps only the verification keys in {@code kids} (and the signing key). */
    public synchronized void retainOnly(Set<String> kids) {
        Map<String, Verifying> v = new HashMap<>(snapshot.verifiers);
        boolean removed = v.keySet().removeIf(k -> !kids.contains(k) && !k.equals(snapshot.signingKid));
        if (removed) {
            snapshot = new Snapshot(snapshot.signingKid, snapshot.signer, Map.copyOf(v));
            onRemoval.run();
        }
    }

    public synchronized void remove(String kid) {
        if (kid.equals(snapshot.signingKid) || !snapshot.verifiers.containsKey(kid)) {
            return;
        }
        Map<String, Verifying> v = new HashMap<>(snapshot.verifiers);
        v.remove(kid);
        snapshot = new Snapshot(snapshot.signingKid, snapshot.signer, Map.copyOf(v));
        onRemoval.run();
    }

    /** Drops verification keys whose tokens have all expired; true if any went. */
    public synchronized boolean purge(Instant now) {
        Map<String, Verifying> v = new HashMap<>(snapshot.verifiers);
        boolean removed = v.entrySet().removeIf(e -> !e.getKey().equals(snapshot.signingKid)
                && e.getValue().usableUntil() != null && !e.getValue().usableUntil().isAfter(now));
        if (removed) {
            snapshot = new Snapshot(snapshot.signingKid, snapshot.signer, Map.copyOf(v));
            onRemoval.run();
        }
        return removed;
    }

    Optional<JWSVerifier> verifier(String kid) {
        Verifying v = snapshot.verifiers.get(kid);
        return v == null ? Optional.empty() : Optional.of(v.verifier());
    }

    boolean knows(String kid) {
        return snapshot.verifiers.containsKey(kid);
    }

    Optional<String> signingKid() {
        return Optional.ofNullable(snapshot.signingKid);
    }

    /** The signing key id and signer, read together. */
    Optional<Map.Entry<String, JWSSigner>> signer() {
        Snapshot s = snapshot;
        return s.signer == null ? Optional.empty() : Optional.of(Map.entry(s.signingKid, s.signer));
    }

    public Set<String> kids() {
        return snapshot.verifiers.keySet();
    }

    private static void requireP256(ECKey key) {
        if (key.getKeyID() == null || key.getKeyID().isBlank()) {
            throw new IllegalArgumentException("session signing keys need a key id (kid)");
        }
        if (!Curve.P_256.equals(key.getCurve())) {
            throw new IllegalArgumentException("session signing key " + key.getKeyID() + " is on " + key.getCurve()
                    + "; kubegate signs ES256, which needs P-256");
        }
    }
}
