package dev.kubegate.upstream.credentials;

import dev.kubegate.config.KubegateConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** A mutable {@link KubegateConfig.Upstream} for tests: set the fields a test needs. */
final class TestUpstream implements KubegateConfig.Upstream {
    String url;
    Path kubeconfig;
    String context;
    Path caFile;
    Path tokenFile;
    boolean insecure;
    String eksCluster;
    String eksRegion;
    String eksRole;

    @Override public Optional<String> url() { return Optional.ofNullable(url); }
    @Override public Optional<Path> kubeconfig() { return Optional.ofNullable(kubeconfig); }
    @Override public Optional<String> context() { return Optional.ofNullable(context); }
    @Override public Optional<Path> caFile() { return Optional.ofNullable(caFile); }
    @Override public Optional<Path> tokenFile() { return Optional.ofNullable(tokenFile); }
    @Override public boolean insecureSkipTlsVerify() { return insecure; }
    @Override public boolean impersonate() { return true; }
    @Override public Duration connectTimeout() { return Duration.ofSeconds(10); }
    @Override public Duration responseTimeout() { return Duration.ofSeconds(60); }
    @Override public int maxConnections() { return 2000; }
    @Override public boolean http2() { return true; }

    @Override
    public Eks eks() {
        return new Eks() {
            @Override public Optional<String> clusterName() { return Optional.ofNullable(eksCluster); }
            @Override public Optional<String> region() { return Optional.ofNullable(eksRegion); }
            @Override public Optional<String> roleArn() { return Optional.ofNullable(eksRole); }
        };
    }
}
