package dev.kubegate.identity.aws;

import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.testing.AwsTokens;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every local rule a token must pass before STS is asked, each with a hostile token that breaks it. */
class AwsTokenTest {

    static final Instant NOW = Instant.parse("2030-05-06T07:08:09Z");
    static final StsHosts HOSTS = new StsHosts(Optional.empty(), Optional.of("sts.test.internal"));
    static final AwsBasicCredentials KEYS = AwsBasicCredentials.create("AKIDEXAMPLE", "secret");

    static String url(Instant signedAt) {
        return AwsTokens.presign("sts.eu-west-1.amazonaws.com", "eu-west-1", "kubegate", KEYS, signedAt, Duration.ofSeconds(60));
    }

    static AwsToken parse(String token) {
        return AwsToken.parse(token, HOSTS, NOW, Duration.ofMinutes(1));
    }

    static void refused(String token, String why) {
        assertThatThrownBy(() -> parse(token)).isInstanceOf(AuthenticationException.class)
                .satisfies(e -> assertThat(((AuthenticationException) e).unavailable()).isFalse())
                .hasMessageContaining(why);
    }

    @Test
    void aTokenAsAwsEksGetTokenMakesItPasses() {
        String token = AwsTokens.encode(url(NOW.minusSeconds(30)));
        AwsToken t = parse(token);
        assertThat(t.host()).isEqualTo("sts.eu-west-1.amazonaws.com");
        assertThat(t.signedAt()).isEqualTo(NOW.minusSeconds(30));
        assertThat(t.expiresAt()).isEqualTo(NOW.minusSeconds(30).plus(Duration.ofMinutes(15)));
        assertThat(t.accessKeyId()).isEqualTo("AKIDEXAMPLE");
        assertThat(t.rawQuery()).contains("X-Amz-Signature=").contains("Action=GetCallerIdentity");
    }

    @Test
    void sessionTokensAndTheLongestExpiresAreAccepted() {
        String url = AwsTokens.presign("sts.amazonaws.com", "us-east-1", "kubegate",
                AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "FwoGZXIvYXdzEJr//session+token="), NOW, Duration.ofSeconds(900));
        assertThat(parse(AwsTokens.encode(url)).accessKeyId()).isEqualTo("ASIAEXAMPLE");
    }

    @Test
    void oversizeTokensAreRefusedBeforeDecoding() {
        String url = AwsTokens.presign("sts.amazonaws.com", "us-east-1", "kubegate",
                AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "A".repeat(3000)), NOW, Duration.ofSeconds(60));
        refused(AwsTokens.encode(url), "longer than 4096");
    }

    @Test
    void badBase64IsRefused() {
        refused("k8s-aws-v1.not*base64!", "base64url");
        refused("k8s-aws-v1." + java.util.Base64.getUrlEncoder().encodeToString(url(NOW).getBytes()) + "=", "base64url");
        refused(AwsTokens.encode("%%%not a url"), "does not hold a URL");
    }

    @Test
    void onlyHttpsIsAccepted() {
        refused(AwsTokens.encode(url(NOW).replace("https://", "http://")), "scheme must be https");
    }

    @Test
    void foreignHostsAreRefused() {
        for (String host : List.of("evil.example.com", "sts.amazonaws.com.evil.io", "sts.eu-west-1.amazonaws.com:8443",
                "user@sts.amazonaws.com", "sts.cn-north-1.amazonaws.com", "sts.eu-west-1.amazonaws.com.cn", "STS.AMAZONAWS.COM",
                "127.0.0.1")) {
            refused(AwsTokens.encode(url(NOW).replace("sts.eu-west-1.amazonaws.com", host)), "not an allowed STS endpoint");
        }
    }

    @Test
    void regionalFipsChinaGovAndTheConfiguredHostsAreAllowed() {
        for (String host : List.of("sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts-fips.us-east-2.amazonaws.com",
                "sts.cn-northwest-1.amazonaws.com.cn", "sts.us-gov-west-1.amazonaws.com", "sts.test.internal")) {
            assertThat(HOSTS.allows(host)).as(host).isTrue();
        }
        StsHosts onlyIreland = new StsHosts(Optional.of(List.of("eu-west-1")), Optional.empty());
        assertThat(onlyIreland.allows("sts.eu-west-1.amazonaws.com")).isTrue();
        assertThat(onlyIreland.allows("sts.us-east-1.amazonaws.com")).isFalse();
    }

    @Test
    void thePathMustBeRoot() {
        refused(AwsTokens.encode(url(NOW).replace(".com/?", ".com/admin?")), "path must be /");
        refused(AwsTokens.encode(url(NOW).replace(".com/?", ".com?")), "path must be /");
        refused(AwsTokens.encode(url(NOW) + "#frag"), "fragment");
    }

    @Test
    void onlyGetCallerIdentityIsAccepted() {
        refused(AwsTokens.encode(url(NOW).replace("Action=GetCallerIdentity", "Action=AssumeRole")), "Action must be GetCallerIdentity");
        refused(AwsTokens.encode(url(NOW).replace("Version=2011-06-15", "Version=2099-01-01")), "Version must be 2011-06-15");
        refused(AwsTokens.encode(url(NOW).replace("Action=GetCallerIdentity&", "")), "lacks the action parameter");
    }

    @Test
    void unknownParametersAreRefused() {
        refused(AwsTokens.encode(url(NOW) + "&RoleArn=arn:aws:iam::1:role/x"), "'RoleArn'");
        refused(AwsTokens.encode(url(NOW) + "&x-amz-date"), "repeats");
        refused(AwsTokens.encode(url(NOW) + ";x=1"), "';'");
    }

    @Test
    void duplicatedParametersAreRefusedWhateverTheirCase() {
        String u = url(NOW);
        refused(AwsTokens.encode(u + "&Action=GetCallerIdentity"), "repeats the parameter Action");
        refused(AwsTokens.encode(u + "&x-amz-date=20300506T070809Z"), "repeats the parameter x-amz-date");
    }

    @Test
    void expiresIsBounded() {
        String u = url(NOW);
        refused(AwsTokens.encode(u.replace("X-Amz-Expires=60", "X-Amz-Expires=901")), "X-Amz-Expires");
        refused(AwsTokens.encode(u.replace("X-Amz-Expires=60", "X-Amz-Expires=-1")), "X-Amz-Expires");
        refused(AwsTokens.encode(u.replace("X-Amz-Expires=60", "X-Amz-Expires=lots")), "X-Amz-Expires");
    }

    @Test
    void theClusterIdHeaderMustBeSigned() {
        refused(AwsTokens.encode(url(NOW).replace("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=host")),
                "x-k8s-aws-id header is not signed");
    }

    @Test
    void expiredTokensAreRefused() {
        refused(AwsTokens.encode(url(NOW.minus(Duration.ofMinutes(15)))), "expired");
        assertThat(parse(AwsTokens.encode(url(NOW.minus(Duration.ofMinutes(14).plusSeconds(59)))))).isNotNull();
    }

    @Test
    void futureDatedTokensAreRefusedBeyondTheSkew() {
        refused(AwsTokens.encode(url(NOW.plus(Duration.ofMinutes(5)))), "signed in the future");
        assertThat(parse(AwsTokens.encode(url(NOW.plusSeconds(50))))).isNotNull();
        refused(AwsTokens.encode(url(NOW).replaceAll("X-Amz-Date=[0-9TZ]+", "X-Amz-Date=yesterday")), "X-Amz-Date");
    }

    @Test
    void otherPrefixesAreNotAwsTokens() {
        refused("k8s-aws-v2." + AwsTokens.encode(url(NOW)).substring(11), "does not start with k8s-aws-v1.");
    }
}
