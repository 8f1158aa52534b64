package dev.kubegate.identity.session;

import dev.kubegate.audit.LifecycleEvent;
import io.smallrye.mutiny.Uni;

/**
 * Where session and identity lifecycle events go (the audit trail). Completes once the event is
 * recorded; fails when it could not be, and the action reporting it fails with it (fail closed).
 */
@FunctionalInterface
public interface LifecycleSink {

    Uni<Void> fire(LifecycleEvent event);
}
