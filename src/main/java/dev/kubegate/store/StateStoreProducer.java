package dev.kubegate.store;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.store.embedded.EmbeddedStateStore;
import dev.kubegate.store.postgres.PostgresSettings;
import dev.kubegate.store.postgres.PostgresStateStore;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;

/**
 * Makes the configured {@link StateStore} ({@code kubegate.store}) an application-scoped bean. It is
 * opened at start-up, before the other start-up observers run, and only when kubegate serves: the
 * CLI's client commands run the same application and must not take the journal's lock or connect to
 * the database. Opening blocks (files, the first database connection, the migration), which is why
 * it happens on the start-up thread; a store that cannot open fails start-up with its reason.
 */
@ApplicationScoped
public class StateStoreProducer {

    private static final Logger LOG = Logger.getLogger(StateStoreProducer.class);
    static final Duration EMBEDDED_MAINTENANCE = Duration.ofMinutes(1);

    @Inject
    KubegateConfig config;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private volatile StateStore opened;

    @Produces
    @ApplicationScoped
    StateStore stateStore() {
        if (!serving) {
            throw new IllegalStateException("the state store is opened only by 'kubegate serve'");
        }
        StateStore store = switch (config.store()) {
            case EMBEDDED -> embedded();
            case POSTGRES -> postgres();
        };
        opened = store;
        LOG.infof("state store: %s", store.describe());
        return store;
    }

    void close(@Disposes StateStore store) throws Exception {
        opened = null;
        if (store instanceof AutoCloseable c) {
            c.close();
        }
    }

    /** Opens the store while starting (the proxy creates it on first use), ahead of features that need it. */
    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) StartupEvent event, StateStore store) {
        if (serving) {
            store.describe();
        }
    }

    /** The open store, or null before start-up completed or when not serving (never opens one). */
    public StateStore current() {
        return opened;
    }

    private static boolean userInUrl(String url) {
        try {
            return java.net.URI.create(url).getUserInfo() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private StateStore embedded() {
        try {
            return EmbeddedStateStore.open(config.dataDir().resolve("state"), Clock.systemUTC(), EMBEDDED_MAINTENANCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the embedded state store: " + e.getMessage(), e);
        }
    }

    private StateStore postgres() {
        KubegateConfig.Postgres pg = config.postgres();
        String url = pg.url().orElseThrow(() -> new IllegalStateException(
                "kubegate.store=postgres needs kubegate.postgres.url (postgresql://host:port/database)"));
        String password = pg.passwordFile().map(file -> {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubegate.postgres.password-file " + file, e);
            }
        }).orElse(pg.password().orElse(null));
        String user = pg.username().orElse(userInUrl(url) ? null : "kubegate");
        PostgresSettings settings = PostgresSettings.of(url, user, password, pg.schema(),
                pg.poolSize(), pg.timeout(), pg.purgeInterval());
        return PostgresStateStore.start(vertx, settings, Clock.systemUTC());
    }
}
