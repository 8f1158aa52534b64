package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import com.google.re2j.Pattern;

import static dev.kubegate.masking.MaskingFixtures.defaults;
import static dev.kubegate.masking.MaskingFixtures.lines;
import static org.assertj.core.api.Assertions.assertThat;

class RequiredLiteralsTest {

    static List<String> literals(String regex) {
        return RequiredLiterals.of(Pattern.compile(regex)).map(r -> List.of(r.literals)).orElse(null);
    }

    @Test
    void theDefaultPatternsHaveRequiredLiterals() {
        List<Pattern> p = defaults().logPatterns();
        assertThat(literals(p.get(0).pattern())).containsExactly("AKIA", "ASIA", "ABIA", "ACCA");
        assertThat(literals(p.get(1).pattern())).containsExactly("aws");
        assertThat(literals(p.get(2).pattern())).containsExactly("eyJ");
        assertThat(literals(p.get(3).pattern())).containsExactly("-----BEGIN ");
        assertThat(literals(p.get(4).pattern())).containsExactly("password", "passwd", "pwd", "secret", "token", "api", "access", "client");
        assertThat(literals(p.get(5).pattern())).containsExactly("password", "passwd", "secret", "token", "api");
        assertThat(literals(p.get(6).pattern())).containsExactly("ghp", "gho", "ghu", "ghs", "ghr");
        assertThat(literals(p.get(7).pattern())).containsExactly("github_pat_");
        assertThat(literals(p.get(8).pattern())).containsExactly("bearer");
        assertThat(literals(p.get(9).pattern())).containsExactly("://");
        assertThat(RequiredLiterals.of(Pattern.compile(p.get(8).pattern())).orElseThrow().caseInsensitive).isTrue();
        assertThat(RequiredLiterals.of(Pattern.compile(p.get(4).pattern())).orElseThrow().anchored).isTrue();
        assertThat(RequiredLiterals.of(Pattern.compile(p.get(9).pattern())).orElseThrow().anchored).isFalse();
        assertThat(RequiredLiterals.of(Pattern.compile("^abc")).orElseThrow().anchored).isFalse();
        assertThat(RequiredLiterals.of(Pattern.compile("a?bcd")).orElseThrow().anchored).isFalse();
        assertThat(RequiredLiterals.of(Pattern.compile("\\bbcd")).orElseThrow().anchored).isTrue();
    }

    @Test
    void whatIsNotUnderstoodHasNoPrefilter() {
        assertThat(literals("abc|def")).isNull();                 // top-level alternation
        assertThat(literals("\\Qa.b\\E")).isNull();
        assertThat(literals("\\x41BCD")).isNull();
        assertThat(literals("ab?c")).isNull();                    // only "a" and "c": too short
        assertThat(literals("(?:abc)?xyz\\d+")).containsExactly("xyz");
        assertThat(literals("(?:abc|de)*fgh")).containsExactly("fgh");
        assertThat(literals("x{0,3}wxyz")).containsExactly("wxyz");
        assertThat(literals("(?:(?:ab|cd)ef|ghi)jk")).isNull();   // a nested group at an alternative's start
        assertThat(literals("[abc]+token\\.v[0-9]")).containsExactly("token.v");
        assertThat(literals("(?P<secret>[[:alpha:]]{4})=abcd")).containsExactly("=abcd");
        assertThat(literals("(?i:pass)word")).containsExactly("pass"); // searched case-insensitively
    }

    /** With and without the prefilter, every line masks the same: random lines built from pattern parts. */
    @Test
    void thePrefilterNeverChangesTheResult() {
        List<Pattern> patterns = new java.util.ArrayList<>(defaults().logPatterns());
        patterns.add(Pattern.compile("(?i)x-api-key:\\s*(?<secret>\\w+)"));
        patterns.add(Pattern.compile("pin=(?<secret>\\d{4,})"));
        patterns.add(Pattern.compile("^(?:pwd|pin)\\S*"));
        patterns.add(Pattern.compile("\\stoken\\S+"));
        patterns.add(Pattern.compile("\\bapp@\\w+\\b"));
        String[] parts = {"password", "PassWord", "passwd", "pwd", "secret", "SECRET", "token", "Token", "api_key", "apikey",
                "access-key", "client_secret", "=", ":", " ", "\"", "'", "hunter2", "AKIA", "ASIA", "IOSFODNN7EXAMPLE",
                "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eyJ",
                "eyJhbGciOiJIUzI1NiJ9", ".", "c2lnbmF0dXJlc2lnbmF0dXJl", "Bearer", "bearer ", "BEARER", "abc.def",
                "postgres", "://", "app", "@", "db:5432", "-----BEGIN ", "RSA ", "PRIVATE KEY-----", "-----END ",
                "MIIEow", "X-Api-Key", "pin=", "12345", "é", "\t", ",", ";"};
        Random r = new Random(42);
        StringBuilder log = new StringBuilder();
        for (int line = 0; line < 20_000; line++) {
            int n = r.nextInt(12);
            for (int k = 0; k < n; k++) {
                log.append(parts[r.nextInt(parts.length)]);
            }
            log.append('\n');
        }
        byte[] in = log.toString().getBytes(StandardCharsets.UTF_8);
        String reference = lines(new LineMasker(patterns, false), in, in.length / 3, in.length / 2);
        String filtered = lines(new LineMasker(patterns, true), in, in.length / 3, in.length / 2);
        assertThat(filtered).isEqualTo(reference);
        assertThat(reference).contains("***");
    }
}
