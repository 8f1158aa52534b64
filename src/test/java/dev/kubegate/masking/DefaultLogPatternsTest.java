package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.kubegate.masking.MaskingFixtures.defaults;
import static dev.kubegate.masking.MaskingFixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** The default pack's log patterns (policies/rego/data.json) on what real logs and shells print. */
class DefaultLogPatternsTest {

    static String mask(String text) {
        return lines(LineMasker.of(defaults()), text.getBytes(StandardCharsets.UTF_8));
    }

    static String b64url(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A token shaped like the kubelet's projected service-account tokens (RS256, ~1 KB). */
    static String projectedServiceAccountToken() {
        String header = b64url("{\"alg\":\"RS256\",\"kid\":\"Zq3x9YdV0wH1fJ2Kb7nLs4mPqR8tUvWx6yAzBcDeFgH\"}");
        String payload = b64url("{\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],\"exp\":1767225600,"
                + "\"iat\":1735689600,\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"kubernetes.io\":"
                + "{\"namespace\":\"default\",\"pod\":{\"name\":\"app-7d9f8b6c5-x2x4z\",\"uid\":\"5a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b\"},"
                + "\"serviceaccount\":{\"name\":\"app\",\"uid\":\"9f8e7d6c-1111-4b3a-9c8d-7e6f5a4b3c2d\"},"
                + "\"warnafter\":1735693207},\"nbf\":1735689600,\"sub\":\"system:serviceaccount:default:app\"}");
        byte[] sig = new byte[256];
        new java.util.Random(1).nextBytes(sig);
        return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    @Test
    void envVariablesNamedLikeCredentialsAreMaskedWhateverTheirPrefix() {
        assertThat(mask("DB_PASSWORD=hunter2\n")).isEqualTo("DB_PASSWORD=***\n");
        assertThat(mask("GITHUB_TOKEN=abc123def\n")).isEqualTo("GITHUB_TOKEN=***\n");
        assertThat(mask("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"))
                .isEqualTo("export AWS_SECRET_ACCESS_KEY=***\n");
        assertThat(mask("STRIPE_API_KEY=sk_live_123 MY_CLIENT_SECRET=xyz\n")).isEqualTo("STRIPE_API_KEY=*** MY_CLIENT_SECRET=***\n");
        // names that merely contain the words are left alone
        assertThat(mask("PASSWORD_FILE=/run/secrets/db tokens: 5\n")).isEqualTo("PASSWORD_FILE=/run/secrets/db tokens: 5\n");
    }

    @Test
    void jsonLogsAndCommandLineFlags() {
        assertThat(mask("{\"level\":\"info\",\"password\": \"hunter2\",\"user\":\"bob\"}\n"))
                .isEqualTo("{\"level\":\"info\",\"password\": \"***\",\"user\":\"bob\"}\n");
        assertThat(mask("mysql --user=root --password s3cr3t -h db\n")).isEqualTo("mysql --user=root --password *** -h db\n");
        assertThat(mask("app --db-password=s3cr3t --api-key 'k-123'\n")).isEqualTo("app --db-password=*** --api-key '***'\n");
        // a flag followed by another flag has no value to mask
        assertThat(mask("tool --token --verbose\n")).isEqualTo("tool --token --verbose\n");
    }

    @Test
    void gitHubTokensAreMaskedOnTheirOwn() {
        String pat = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        assertThat(mask("cloning with " + pat + " now\n")).isEqualTo("cloning with *** now\n");
        assertThat(mask("x github_pat_11ABCDEFG0123456789_abcdefghijklmnop y\n")).isEqualTo("x *** y\n");
    }

    @Test
    void projectedServiceAccountTokensAreMasked() {
        String token = projectedServiceAccountToken();
        assertThat(token.length()).isGreaterThan(700);
        // cat of the mounted token prints no newline: the shell prompt follows directly
        assertThat(mask(token + "root@app:/# ")).doesNotContain(token.substring(0, 40), token.substring(token.length() - 40));
        assertThat(mask("token: " + token + "\n")).isEqualTo("token: ***\n");
        assertThat(mask("curl -H \"Authorization: Bearer " + token + "\" https://api\n"))
                .isEqualTo("curl -H \"Authorization: Bearer ***\" https://api\n");
    }
}
