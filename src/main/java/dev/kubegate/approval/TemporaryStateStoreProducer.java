package dev.kubegate.approval;

import dev.kubegate.store.InMemoryStateStore;
import dev.kubegate.store.StateStore;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/**
 * TEMPORARY (approvals branch, for the lead to drop at merge): an in-memory {@link StateStore} bean
 * used only while no other producer exists. The store branch provides the real (embedded and
 * PostgreSQL) stores; as a {@link DefaultBean} this one steps aside as soon as any other
 * {@code StateStore} bean is present, so it is harmless after the merge, but should be deleted.
 */
@ApplicationScoped
public class TemporaryStateStoreProducer {

    @Produces
    @DefaultBean
    @ApplicationScoped
    StateStore inMemoryStateStore() {
        return new InMemoryStateStore(Clock.systemUTC());
    }
}
