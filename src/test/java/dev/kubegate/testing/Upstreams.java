package dev.kubegate.testing;

import dev.kubegate.upstream.UpstreamClient;
import dev.kubegate.upstream.credentials.UpstreamCredentialsFactory;
import dev.kubegate.upstream.credentials.UpstreamSource;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Upstream clients for tests that talk to a cluster without a gateway in between. */
public final class Upstreams {

    private Upstreams() {
    }

    /** A client with kubegate's credential from {@code kubeconfig} (its current context); 5 s connect timeout, 10 connections, HTTP/2 offered. */
    public static UpstreamClient client(Vertx vertx, Path kubeconfig) {
        return new UpstreamClient(vertx, UpstreamCredentialsFactory.create(UpstreamSource.kubeconfig(kubeconfig), Map.of()),
                new UpstreamClient.Connections(Duration.ofSeconds(5), 10, true));
    }
}
