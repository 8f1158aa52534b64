package dev.kubegate.upstream.credentials;

import java.nio.file.Path;
import java.util.Optional;

/** The {@link UpstreamSource} of a test, set field by field: set the fields a test needs. */
final class TestUpstream {
    String url;
    Path kubeconfig;
    String context;
    Path caFile;
    Path tokenFile;
    boolean insecure;
    String eksCluster;
    String eksRegion;
    String eksRole;

    UpstreamSource source() {
        return new UpstreamSource(Optional.ofNullable(url), Optional.ofNullable(kubeconfig), Optional.ofNullable(context),
                Optional.ofNullable(caFile), Optional.ofNullable(tokenFile), insecure,
                new UpstreamSource.Eks(Optional.ofNullable(eksCluster), Optional.ofNullable(eksRegion), Optional.ofNullable(eksRole)));
    }
}
