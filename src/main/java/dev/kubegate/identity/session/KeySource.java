package dev.kubegate.identity.session;

import io.smallrye.mutiny.Uni;

/** Where the {@link KeyRing}'s keys come from: the state store, or a directory of key files. */
public interface KeySource {

    /** Loads the keys (and a signing key) into the ring; completes once tokens can be signed and verified. */
    Uni<Void> start();

    /** Periodic upkeep: rotate the signing key when due, drop keys nobody can use any more. */
    Uni<Void> maintain();

    /** A token names a key the ring lacks: look for it once (other replicas' new keys); true if found. */
    Uni<Boolean> lookup(String kid);

    void stop();
}
