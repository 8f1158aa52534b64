package dev.kubegate.gateway;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.AgentAuthenticators;
import dev.kubegate.identity.session.Sessions;
import dev.kubegate.inspect.DryRun;
import dev.kubegate.upstream.HttpForwarder;
import dev.kubegate.upstream.UpgradeTunnel;
import dev.kubegate.upstream.UpstreamClient;
import dev.kubegate.upstream.UpstreamProbe;
import dev.kubegate.upstream.credentials.UpstreamCredentials;
import dev.kubegate.upstream.credentials.UpstreamCredentialsFactory;
import dev.kubegate.upstream.credentials.UpstreamSource;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * What the gateway needs once it serves: the upstream pools, the authenticators, the readiness
 * probe. Built at start-up on the main thread (reading kubeconfigs and token files blocks), and only
 * when the HTTP listener is on — the CLI's client commands run the same application without it.
 * A misconfiguration fails start-up with a message instead of failing every call later.
 */
@ApplicationScoped
public class GatewayRuntime {

    private static final Logger LOG = Logger.getLogger(GatewayRuntime.class);

    /** Everything the request path needs, immutable once built. */
    // Six parts, each built once at start-up and used by a different step; a record keeps them together.
    public record Started(UpstreamClient upstream, HttpForwarder forwarder, UpgradeTunnel tunnel, DryRun dryRun,
                          AuthenticatorChain authenticators, UpstreamProbe probe) {
    }

    @Inject
    Vertx vertx;

    @Inject
    KubegateConfig config;

    @Inject
    Sessions sessions;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private volatile Started started;
    private AgentAuthenticators identity;
    private volatile boolean stopping;

    void onStart(@Observes StartupEvent event) {
        if (!serving) {
            return;
        }
        UpstreamCredentials credentials = UpstreamCredentialsFactory.create(UpstreamSource.from(config.upstream()), System.getenv());
        UpstreamClient upstream = new UpstreamClient(vertx, credentials, UpstreamClient.Connections.from(config.upstream()));
        AuthenticatorChain agents = new AuthenticatorChain(agentAuthenticators(upstream));
        // Session tokens first; agent credentials sent directly get an implicit session.
        AuthenticatorChain authenticators = sessions.start(agents);
        UpstreamProbe probe = new UpstreamProbe(vertx, upstream);
        probe.start();
        started = new Started(upstream,
                new HttpForwarder(vertx, upstream, config.upstream().responseTimeout()),
                new UpgradeTunnel(vertx, upstream, config.upstream().responseTimeout()),
                // A dry-run answer is the object plus server-set fields: allow it some room over the request limit.
                new DryRun(upstream, 4 * config.limits().maxRequestBody().bytes(), config.upstream().responseTimeout()),
                authenticators, probe);
        LOG.infof("kubegate forwards to %s; impersonation %s", credentials.describe(),
                config.upstream().impersonate() ? "on" : "off");
        if (agents.isEmpty()) {
            LOG.warn("no agent authentication is configured: every Kubernetes API call will be refused (401); "
                    + "set kubegate.identity.aws.cluster-id, kubegate.identity.oidc.issuers.*, "
                    + "kubegate.identity.serviceaccount.enabled, or kubegate.identity.static.tokens-file for development");
        }
    }

    /**
     * SIGTERM, first step (quarkus.shutdown.delay-enabled): readiness turns unready now, so the NLB and
     * the Service stop sending new connections; calls keep being served meanwhile. After the drain
     * delay, open watches end cleanly (clients re-watch through another replica); Quarkus then gives
     * in-flight calls up to kubegate.shutdown.timeout before {@link #onStop}.
     */
    void onDrain(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        Started s = started;
        if (s == null) {
            return;
        }
        long delay = config.shutdown().drainDelay().toMillis();
        LOG.infof("stopping: unready now; open watches (%d) end in %d ms, in-flight calls get up to %s more",
                s.forwarder().openWatches(), delay, config.shutdown().timeout());
        vertx.setTimer(Math.max(1, delay), id -> s.forwarder().endWatches());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Started s = started;
        started = null;
        if (s != null) {
            s.forwarder().endWatches();
            int tunnels = s.tunnel().closeAll();
            if (tunnels > 0) {
                LOG.infof("stopping: closed %d exec/attach/port-forward sockets still open", tunnels);
            }
            s.probe().stop();
            s.upstream().close();
        }
        if (identity != null) {
            identity.close();
        }
    }

    /** The agent authenticators from {@code kubegate.identity.*}; see {@link AgentAuthenticators} for their order. */
    private List<Authenticator> agentAuthenticators(UpstreamClient upstream) {
        identity = AgentAuthenticators.create(vertx, config.identity(), Optional.of(upstream));
        return identity.authenticators();
    }

    /** True from the moment the process was asked to stop (SIGTERM). */
    public boolean stopping() {
        return stopping;
    }

    /** The running gateway, or null while starting, stopping, or when not serving. */
    public Started current() {
        return started;
    }
}
