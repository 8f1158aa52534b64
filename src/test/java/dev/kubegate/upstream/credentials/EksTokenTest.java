package dev.kubegate.upstream.credentials;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Checks minted tokens against the rules aws-iam-authenticator's verifier applies before it replays a token
 * against STS, and recomputes the SigV4 signature independently (this class's own HMAC code, itself checked
 * against the example in AWS's SigV4 documentation).
 */
class EksTokenTest {

    static final Instant SIGNED_AT = Instant.parse("2030-05-06T07:08:09Z");
    static final String AKID = "AKIDEXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Set<String> ALLOWED_PARAMS = Set.of("action", "version", "x-amz-algorithm", "x-amz-credential",
            "x-amz-date", "x-amz-expires", "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders");

    static EksToken minter(Region region, String cluster) {
        return new EksToken(cluster, region, StaticCredentialsProvider.create(AwsBasicCredentials.create(AKID, SECRET)),
                java.time.Clock.fixed(SIGNED_AT, java.time.ZoneOffset.UTC));
    }

    @Test
    void mintForTheLoginCommandBindsTheClusterIdAndHonoursAnStsEndpointOverride() {
        Instant at = Instant.parse("2026-11-26T08:00:00Z");
        var creds = AwsBasicCredentials.create("AKIDEXAMPLE", "secret");
        String regional = EksToken.mint("my-kubegate", Region.EU_WEST_1, null, creds, at);
        String url = new String(Base64.getUrlDecoder().decode(regional.substring(EksToken.PREFIX.length())), StandardCharsets.UTF_8);
        assertThat(url).startsWith("https://sts.eu-west-1.amazonaws.com/?").contains("X-Amz-Date=20261126T080000Z")
                .contains("x-k8s-aws-id");
        String local = EksToken.mint("my-kubegate", Region.EU_WEST_1, URI.create("http://127.0.0.1:18443"), creds, at);
        String localUrl = new String(Base64.getUrlDecoder().decode(local.substring(EksToken.PREFIX.length())), StandardCharsets.UTF_8);
        assertThat(localUrl).startsWith("http://127.0.0.1:18443/?").contains("Action=GetCallerIdentity");
    }

    @Test
    void tokenPassesAwsIamAuthenticatorFormatChecks() throws Exception {
        String token = minter(Region.US_WEST_2, "my-cluster").token(AwsBasicCredentials.create(AKID, SECRET), SIGNED_AT);

        assertThat(token.length()).isLessThanOrEqualTo(4096);
        assertThat(token).startsWith("k8s-aws-v1.");
        String encoded = token.substring("k8s-aws-v1.".length());
        assertThat(encoded).doesNotContain("=", "+", "/"); // base64url without padding
        URI url = URI.create(new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8));

        assertThat(url.getScheme()).isEqualTo("https");
        assertThat(url.getHost()).isEqualTo("sts.us-west-2.amazonaws.com"); // regional, not sts.amazonaws.com
        assertThat(url.getPort()).isEqualTo(-1);
        assertThat(url.getPath()).isEqualTo("/");
        Map<String, String> q = query(url);
        assertThat(q.keySet()).allSatisfy(k -> assertThat(ALLOWED_PARAMS).contains(k.toLowerCase()));
        assertThat(q).containsEntry("Action", "GetCallerIdentity").containsEntry("Version", "2011-06-15")
                .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256").containsEntry("X-Amz-Expires", "60");
        int expires = Integer.parseInt(q.get("X-Amz-Expires"));
        assertThat(expires).isBetween(0, 60); // verifier accepts <= 900; authenticators 0.3.0 and older <= 60
        assertThat(q.get("X-Amz-SignedHeaders").split(";")).contains("host", "x-k8s-aws-id");
        assertThat(LocalDateTime.parse(q.get("X-Amz-Date"), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")))
                .isEqualTo(LocalDateTime.parse("2030-05-06T07:08:09"));
        assertThat(q.get("X-Amz-Credential")).isEqualTo(AKID + "/20300506/us-west-2/sts/aws4_request");
        assertThat(q.get("X-Amz-Signature")).matches("[0-9a-f]{64}");
    }

    @Test
    void signatureMatchesAnIndependentSigV4Computation() throws Exception {
        URI url = decode(minter(Region.US_WEST_2, "my-cluster").token(AwsBasicCredentials.create(AKID, SECRET), SIGNED_AT));
        assertThat(query(url).get("X-Amz-Signature"))
                .isEqualTo(expectedSignature(url, "my-cluster", SECRET, "us-west-2"));
        // A token for another cluster must not verify under this one's header: the header is really signed.
        assertThat(query(url).get("X-Amz-Signature"))
                .isNotEqualTo(expectedSignature(url, "other-cluster", SECRET, "us-west-2"));
    }

    @Test
    void sessionCredentialsAddASignedSecurityToken() throws Exception {
        AwsSessionCredentials creds = AwsSessionCredentials.create(AKID, SECRET, "FwoGZXIvYXdzEJr//session+token=");
        URI url = decode(minter(Region.EU_CENTRAL_1, "prod").token(creds, SIGNED_AT));
        Map<String, String> q = query(url);
        assertThat(q).containsEntry("X-Amz-Security-Token", "FwoGZXIvYXdzEJr//session+token=");
        assertThat(q.keySet()).allSatisfy(k -> assertThat(ALLOWED_PARAMS).contains(k.toLowerCase()));
        assertThat(q.get("X-Amz-Signature")).isEqualTo(expectedSignature(url, "prod", SECRET, "eu-central-1"));

        // AssumeRole session tokens run to about 1 KB: still well under the verifier's 4 KiB
        String typical = minter(Region.EU_CENTRAL_1, "prod").token(
                AwsSessionCredentials.create(AKID, SECRET, "A".repeat(1100)), SIGNED_AT);
        assertThat(typical.length()).isLessThanOrEqualTo(4096);
        assertThatThrownBy(() -> minter(Region.EU_CENTRAL_1, "prod").token(
                AwsSessionCredentials.create(AKID, SECRET, "A".repeat(3000)), SIGNED_AT))
                .isInstanceOf(UpstreamCredentialsException.class)
                .hasMessageContaining("over the 4096 that aws-iam-authenticator accepts");
    }

    @Test
    void chinaRegionsUseTheirPartitionsHost() throws Exception {
        URI url = decode(minter(Region.CN_NORTH_1, "c").token(AwsBasicCredentials.create(AKID, SECRET), SIGNED_AT));
        assertThat(url.getHost()).isEqualTo("sts.cn-north-1.amazonaws.com.cn");
        assertThat(query(url).get("X-Amz-Credential")).endsWith("/cn-north-1/sts/aws4_request");
    }

    @Test
    void tokensAreCachedRefreshedEveryTenMinutesAndExpireBeforeFifteen() {
        ManualScheduler s = new ManualScheduler(SIGNED_AT);
        EksToken minter = new EksToken("my-cluster", Region.US_WEST_2,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(AKID, SECRET)), s.clock);
        Refreshing<ClientAuth> r = Refreshing.start("eks", minter, s, s.clock);
        String first = r.current().token().orElseThrow();
        assertThat(r.expiresAt()).isEqualTo(SIGNED_AT.plus(Duration.ofMinutes(14)));
        assertThat(s.lastDelay()).isEqualTo(Duration.ofMinutes(10));

        s.runNext();
        String second = r.current().token().orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(query(decode(second))).containsEntry("X-Amz-Date", "20300506T071809Z");
        assertThat(s.lastDelay()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void testSignerReproducesTheAwsDocumentationExample() throws Exception {
        // AWS General Reference, "Create a signature for AWS API requests": IAM ListUsers example.
        String stringToSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                + "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
        assertThat(hex(hmac(signingKey(SECRET, "20150830", "us-east-1", "iam"), stringToSign)))
                .isEqualTo("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    }

    // ---- an independent SigV4 presign verifier ---------------------------------------------------------------

    static String expectedSignature(URI url, String clusterId, String secret, String region) throws Exception {
        Map<String, String> q = new TreeMap<>(query(url));
        q.remove("X-Amz-Signature");
        String canonicalQuery = q.entrySet().stream()
                .map(e -> awsEncode(e.getKey()) + "=" + awsEncode(e.getValue()))
                .sorted().collect(Collectors.joining("&"));
        String canonicalHeaders = "host:" + url.getHost() + "\n" + "x-k8s-aws-id:" + clusterId + "\n";
        String canonicalRequest = String.join("\n", "GET", "/", canonicalQuery, canonicalHeaders,
                q.get("X-Amz-SignedHeaders"), hex(sha256(""))); // GET: hash of the empty body, as aws-sdk-go presigns
        String amzDate = q.get("X-Amz-Date");
        String day = amzDate.substring(0, 8);
        String scope = day + "/" + region + "/sts/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope, hex(sha256(canonicalRequest)));
        return hex(hmac(signingKey(secret, day, region, "sts"), stringToSign));
    }

    static byte[] signingKey(String secret, String day, String region, String service) throws Exception {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        k = hmac(k, region);
        k = hmac(k, service);
        return hmac(k, "aws4_request");
    }

    static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** RFC 3986 unreserved characters stay, everything else is %XX (SigV4's URI encoding). */
    static String awsEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    static URI decode(String token) {
        return URI.create(new String(Base64.getUrlDecoder().decode(token.substring("k8s-aws-v1.".length())),
                StandardCharsets.UTF_8));
    }

    /** Query parameters decoded; like the verifier, refuses repeated keys. */
    static Map<String, String> query(URI url) {
        Map<String, String> m = new TreeMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            assertThat(m.put(k, v)).as("parameter %s appears once", k).isNull();
        }
        return m;
    }
}
