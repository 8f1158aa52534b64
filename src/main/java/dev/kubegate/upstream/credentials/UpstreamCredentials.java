package dev.kubegate.upstream.credentials;

import java.net.URI;
import java.util.Optional;

/** Where the API server is and how kubegate proves its own identity to it. Thread-safe. */
public interface UpstreamCredentials extends AutoCloseable {

    /** The API server, e.g. {@code https://1.2.3.4:443}; may carry a path prefix, never a trailing slash. */
    URI server();

    /**
     * Trust and client certificate. Constant for every source except an exec plugin that returns client
     * certificates: then this changes when the plugin is re-run, and callers that build TLS contexts
     * from it compare by {@code equals} to notice.
     */
    TlsMaterial tls();

    /** The current bearer token. Never blocks: a cached value that a background thread refreshes. */
    Optional<String> bearerToken();

    /**
     * False if the last credential refresh failed and the cached credential has expired: the gateway
     * answers 503 rather than sending a credential the API server will refuse.
     */
    boolean ready();

    /** For logs and health checks, no secrets: {@code "kubeconfig /x context y (user z)"}. */
    String describe();

    /** Stops background refreshes. Idempotent. */
    @Override
    void close();
}
