package dev.kubegate.audit.sink;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A bucket and key prefix holding an audit log, and how to reach it: AWS, or an S3-compatible
 * endpoint with path-style addressing. Credentials from the AWS SDK's default chain unless given.
 */
public record S3Location(String bucket, String prefix, String region, Optional<URI> endpoint) {

    public S3Location {
        prefix = prefix == null ? "" : prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /** {@code s3://bucket/prefix}. */
    public static S3Location parse(String uri, String region, Optional<URI> endpoint) {
        if (!uri.startsWith("s3://")) {
            throw new IllegalArgumentException(uri + " is not an s3://bucket/prefix URI");
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException(uri + " names no bucket");
        }
        return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1), region, endpoint);
    }

    public S3Client client(AwsCredentialsProvider credentials) {
        var b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
                .region(Region.of(region))
                .credentialsProvider(credentials == null ? DefaultCredentialsProvider.builder().build() : credentials)
                // S3-compatible stores differ on the SDK's newer default (trailing CRC checksums): only when required.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Segments are small and sent whole: signed payloads, not aws-chunked streams (which some stores keep verbatim).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        endpoint.ifPresent(e -> b.endpointOverride(e).forcePathStyle(true));
        return b.build();
    }

    public String describe() {
        return "s3://" + bucket + "/" + prefix + endpoint.map(e -> " at " + e).orElse("");
    }
}
