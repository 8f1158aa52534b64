package dev.kubegate.upstream.credentials;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Mints EKS bearer tokens the way {@code aws eks get-token} and aws-iam-authenticator do: a SigV4-presigned
 * STS GetCallerIdentity URL whose signed {@code x-k8s-aws-id} header binds it to one cluster, encoded as
 * {@code k8s-aws-v1.} + base64url (no padding). The API server's authenticator replays the URL against STS
 * to learn who we are; STS accepts it for 15 minutes after X-Amz-Date whatever X-Amz-Expires says.
 */
public final class EksToken implements Refreshing.Source<ClientAuth> {

    static final String PREFIX = "k8s-aws-v1.";
    static final String CLUSTER_ID_HEADER = "x-k8s-aws-id";
    /** Ignored by STS, but authenticators 0.3.0 and older insist on a value of at most 60. */
    static final Duration PRESIGN_EXPIRES = Duration.ofSeconds(60);
    static final Duration VALIDITY = Duration.ofMinutes(15);
    /** Renew well before the 15 minutes run out; a failure then leaves minutes for retries. */
    static final Duration REFRESH = Duration.ofMinutes(10);
    static final int MAX_TOKEN_LENGTH = 4096;

    private final String clusterName;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final String stsHost;
    private final String stsProtocol;
    private final int stsPort;

    EksToken(String clusterName, Region region, AwsCredentialsProvider credentials, Clock clock) {
        this.clusterName = clusterName;
        this.region = region;
        this.credentials = credentials;
        this.clock = clock;
        this.stsHost = stsHost(region);
        this.stsProtocol = "https";
        this.stsPort = -1;
    }

    private EksToken(String clusterName, Region region, java.net.URI stsEndpoint) {
        this.clusterName = clusterName;
        this.region = region;
        this.credentials = null;
        this.clock = Clock.systemUTC();
        this.stsHost = stsEndpoint == null ? stsHost(region) : stsEndpoint.getHost();
        this.stsProtocol = stsEndpoint == null ? "https" : stsEndpoint.getScheme();
        this.stsPort = stsEndpoint == null ? -1 : stsEndpoint.getPort();
    }

    /**
     * A {@code k8s-aws-v1.} token bound to {@code clusterId}, as {@code aws eks get-token} makes it
     * ({@code kubegate login} uses it to prove an AWS identity to kubegate itself).
     *
     * @param stsEndpoint the STS endpoint the URL names (tests, private endpoints); null for the region's
     *                    own ({@code https://sts.<region>.amazonaws.com})
     */
    public static String mint(String clusterId, Region region, java.net.URI stsEndpoint, AwsCredentialsIdentity identity,
                              Instant signedAt) {
        return new EksToken(clusterId, region, stsEndpoint).token(identity, signedAt);
    }

    /** The regional STS host (sts.eu-west-1.amazonaws.com, sts.cn-north-1.amazonaws.com.cn): the global one is legacy. */
    static String stsHost(Region region) {
        return "sts." + region.id() + "." + PartitionMetadata.of(region).dnsSuffix();
    }

    @Override
    public Refreshing.Value<ClientAuth> fetch() {
        Instant signedAt = clock.instant();
        String token = token(credentials.resolveCredentials(), signedAt);
        // Expire our copy a minute early, as aws-iam-authenticator does, to absorb clock skew.
        return new Refreshing.Value<>(ClientAuth.token(token), signedAt.plus(VALIDITY).minusSeconds(60), REFRESH);
    }

    String token(AwsCredentialsIdentity identity, Instant signedAt) {
        String url = presign(identity, signedAt);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8));
        if (token.length() > MAX_TOKEN_LENGTH) {
            // Only an unusually long session token gets here; the API server would refuse it with a bare 401.
            throw new UpstreamCredentialsException("the EKS token is " + token.length() + " bytes, over the "
                    + MAX_TOKEN_LENGTH + " that aws-iam-authenticator accepts: the AWS session token is too long");
        }
        return token;
    }

    String presign(AwsCredentialsIdentity identity, Instant signedAt) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol(stsProtocol)
                .host(stsHost)
                .port(stsPort > 0 ? stsPort : null)
                .encodedPath("/")
                .putRawQueryParameter("Action", "GetCallerIdentity")
                .putRawQueryParameter("Version", "2011-06-15")
                .putHeader(CLUSTER_ID_HEADER, clusterName)
                .build();
        SdkHttpRequest signed = signer.sign(r -> r
                .identity(identity)
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, PRESIGN_EXPIRES)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, java.time.ZoneOffset.UTC)))
                .request();
        return signed.getUri().toString();
    }
}
