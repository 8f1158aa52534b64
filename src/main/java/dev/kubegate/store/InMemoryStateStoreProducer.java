package dev.kubegate.store;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/**
 * Until the embedded and PostgreSQL stores provide the {@link StateStore} bean: one replica's state
 * in memory. A {@link DefaultBean}, so any other producer replaces it without a conflict.
 */
@ApplicationScoped
public class InMemoryStateStoreProducer {

    @Produces
    @DefaultBean
    @ApplicationScoped
    StateStore inMemory() {
        return new InMemoryStateStore(Clock.systemUTC());
    }
}
