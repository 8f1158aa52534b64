package dev.kubegate.upstream.credentials;

import dev.kubegate.config.KubegateConfig;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where kubegate's own credential for the cluster comes from: the settings
 * {@link UpstreamCredentialsFactory} reads, and nothing else ({@code kubegate.upstream.*}, see
 * {@link KubegateConfig.Upstream} for each one's meaning). Built from the configuration by the
 * application ({@link #from}), directly by tests.
 */
public record UpstreamSource(Optional<String> url, Optional<Path> kubeconfig, Optional<String> context,
                             Optional<Path> caFile, Optional<Path> tokenFile, boolean insecureSkipTlsVerify, Eks eks) {

    /** The EKS upstream identity ({@code kubegate.upstream.eks.*}): on when a cluster name is set. */
    public record Eks(Optional<String> clusterName, Optional<String> region, Optional<String> roleArn) {
        public static final Eks NONE = new Eks(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static UpstreamSource from(KubegateConfig.Upstream cfg) {
        KubegateConfig.Upstream.Eks e = cfg.eks();
        return new UpstreamSource(cfg.url(), cfg.kubeconfig(), cfg.context(), cfg.caFile(), cfg.tokenFile(),
                cfg.insecureSkipTlsVerify(), new Eks(e.clusterName(), e.region(), e.roleArn()));
    }

    /** Only a kubeconfig file, its current context. */
    public static UpstreamSource kubeconfig(Path file) {
        return new UpstreamSource(Optional.empty(), Optional.of(file), Optional.empty(), Optional.empty(), Optional.empty(),
                false, Eks.NONE);
    }
}
