package dev.kubegate.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * Mints {@code k8s-aws-v1.} tokens as {@code aws eks get-token} does (AWS SDK v2 SigV4 presigner), for
 * tests: against any STS host, with any cluster id, signing time and X-Amz-Expires.
 */
public final class AwsTokens {

    private AwsTokens() {
    }

    public static String mint(String host, String region, String clusterId, AwsCredentialsIdentity credentials,
                              Instant signedAt, Duration expires) {
        return encode(presign(host, region, clusterId, credentials, signedAt, expires));
    }

    public static String mint(String region, String clusterId, FakeSts.Identity who, Instant signedAt) {
        return mint("sts." + region + ".amazonaws.com", region, clusterId,
                AwsBasicCredentials.create(who.accessKeyId(), who.secret()), signedAt, Duration.ofSeconds(60));
    }

    public static String mintWithSession(String region, String clusterId, FakeSts.Identity who, String sessionToken, Instant signedAt) {
        return mint("sts." + region + ".amazonaws.com", region, clusterId,
                AwsSessionCredentials.create(who.accessKeyId(), who.secret(), sessionToken), signedAt, Duration.ofSeconds(60));
    }

    public static String presign(String host, String region, String clusterId, AwsCredentialsIdentity credentials,
                                 Instant signedAt, Duration expires) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol("https")
                .host(host)
                .encodedPath("/")
                .putRawQueryParameter("Action", "GetCallerIdentity")
                .putRawQueryParameter("Version", "2011-06-15")
                .putHeader("x-k8s-aws-id", clusterId)
                .build();
        return AwsV4HttpSigner.create().sign(r -> r
                        .identity(credentials)
                        .request(request)
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, expires)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
                .request().getUri().toString();
    }

    public static String encode(String url) {
        return "k8s-aws-v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8));
    }

    public static String decode(String token) {
        return new String(Base64.getUrlDecoder().decode(token.substring("k8s-aws-v1.".length())), StandardCharsets.UTF_8);
    }
}
