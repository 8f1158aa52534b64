package dev.kubegate.upstream.credentials;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.eks.model.Cluster;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AWS SDK calls behind the EKS source: region, credentials, DescribeCluster. Every client is built
 * with the URL-connection HTTP client: the SDK's other clients are excluded (Vert.x is our HTTP stack), and
 * naming one explicitly avoids the SDK's "several HTTP implementations on the classpath" ambiguity.
 * These calls block; they run at start-up or on the refresher's thread only.
 */
final class EksAws {

    private EksAws() {
    }

    /** What DescribeCluster tells us: the endpoint and the cluster CA as PEM. */
    record ClusterInfo(String endpoint, Optional<String> caPem) {
    }

    @FunctionalInterface
    interface Describer {
        ClusterInfo describe(String clusterName, Region region, AwsCredentialsProvider credentials);
    }

    static Region region(Optional<String> configured, Map<String, String> env) {
        Optional<String> fromEnv = Optional.ofNullable(env.get("AWS_REGION"))
                .or(() -> Optional.ofNullable(env.get("AWS_DEFAULT_REGION"))).filter(s -> !s.isBlank());
        return configured.or(() -> fromEnv).map(Region::of).orElseGet(() -> {
            try {
                return new DefaultAwsRegionProviderChain().getRegion();
            } catch (RuntimeException e) {
                throw new UpstreamCredentialsException("EKS: cannot tell the cluster's AWS region: set "
                        + "kubegate.upstream.eks.region (or AWS_REGION): " + Refreshing.message(e), e);
            }
        });
    }

    /**
     * The default credential chain, or — with a role ARN — that role assumed through the regional STS
     * endpoint. The returned providers go into {@code resources} to be closed with the credentials.
     */
    static AwsCredentialsProvider credentials(Optional<String> roleArn, Region region, Map<String, String> env,
                                              List<AutoCloseable> resources) {
        DefaultCredentialsProvider base = DefaultCredentialsProvider.builder().build();
        resources.add(base);
        if (roleArn.isEmpty()) {
            return base;
        }
        StsClient sts = StsClient.builder().region(region).credentialsProvider(base)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        resources.add(sts);
        StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                // Refresh on our own refresher thread (it calls resolveCredentials), not on an SDK thread.
                .asyncCredentialUpdateEnabled(false)
                .refreshRequest(r -> r.roleArn(roleArn.get()).roleSessionName(sessionName(env)))
                .build();
        resources.add(assumed);
        return assumed;
    }

    /** {@code kubegate-<hostname>} within STS's rules ([\w+=,.@-], 2 to 64 characters): CloudTrail shows which replica. */
    static String sessionName(Map<String, String> env) {
        String host = Optional.ofNullable(env.get("HOSTNAME")).filter(h -> !h.isBlank()).orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown";
            }
        });
        String name = ("kubegate-" + host).replaceAll("[^\\w+=,.@-]", "-");
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    static ClusterInfo describe(String clusterName, Region region, AwsCredentialsProvider credentials) {
        try (EksClient eks = EksClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            Cluster c = eks.describeCluster(r -> r.name(clusterName)).cluster();
            if (c.endpoint() == null || c.endpoint().isEmpty()) {
                throw new UpstreamCredentialsException("EKS cluster " + clusterName + " in " + region
                        + " has no endpoint yet (status " + c.statusAsString() + ")");
            }
            Optional<String> ca = Optional.ofNullable(c.certificateAuthority()).map(a -> a.data())
                    .filter(d -> !d.isEmpty()).map(d -> Pem.decodeData(d, "EKS cluster " + clusterName + " CA"));
            return new ClusterInfo(c.endpoint(), ca);
        }
    }
}
