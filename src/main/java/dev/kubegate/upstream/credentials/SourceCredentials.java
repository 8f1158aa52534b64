package dev.kubegate.upstream.credentials;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/** The one implementation: a fixed server and trust, plus a client identity kept fresh by a {@link Refreshing}. */
final class SourceCredentials implements UpstreamCredentials {

    private final URI server;
    private final TlsMaterial baseTls;
    private final Refreshing<ClientAuth> auth;
    private final String description;
    private final List<AutoCloseable> resources;

    SourceCredentials(URI server, TlsMaterial baseTls, Refreshing<ClientAuth> auth, String description,
                      List<AutoCloseable> resources) {
        this.server = server;
        this.baseTls = baseTls;
        this.auth = auth;
        this.description = description;
        this.resources = List.copyOf(resources);
    }

    @Override
    public URI server() {
        return server;
    }

    @Override
    public TlsMaterial tls() {
        ClientAuth a = auth.current();
        // A client certificate from the credential source (exec plugin) wins over the kubeconfig's, as in client-go.
        return a.certPem().isPresent() ? baseTls.withClientCert(a.certPem().get(), a.keyPkcs8Pem().get()) : baseTls;
    }

    @Override
    public Optional<String> bearerToken() {
        return auth.current().token();
    }

    @Override
    public boolean ready() {
        return auth.ready();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        auth.close();
        for (int i = resources.size() - 1; i >= 0; i--) { // reverse creation order: users before what they use
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // closing is best effort: nothing useful to do with a failure here
            }
        }
    }

    @Override
    public String toString() {
        return "UpstreamCredentials[" + description + "]";
    }
}
