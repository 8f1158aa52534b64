package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import com.google.re2j.Pattern;

import static dev.kubegate.masking.MaskingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class LineMaskerTest {

    static final MaskRules RULES = defaults();
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlc2lnbmF0dXJl";

    static LineMasker masker() {
        return LineMasker.of(RULES);
    }

    static String mask(String text) {
        return lines(masker(), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void defaultPatterns() {
        assertThat(mask("key AKIAIOSFODNN7EXAMPLE used\n")).isEqualTo("key *** used\n");
        assertThat(mask("aws_secret_access_key = " + AWS_SECRET + "\n")).isEqualTo("aws_secret_access_key = ***\n");
        assertThat(mask("auth " + JWT + " ok\n")).isEqualTo("auth *** ok\n");
        assertThat(mask("password=hunter2 user=bob\n")).isEqualTo("password=*** user=bob\n");
        assertThat(mask("{\"token\": \"abc.def\"}\n")).isEqualTo("{\"token\": \"***\"}\n");
        assertThat(mask("Authorization: Bearer abc123==\n")).isEqualTo("Authorization: Bearer ***\n");
        assertThat(mask("db postgres://app:s3cr3t@db:5432/x\n")).isEqualTo("db postgres://app:***@db:5432/x\n");
        assertThat(mask("nothing to see\n")).isEqualTo("nothing to see\n");
    }

    @Test
    void blockFastPathFindsLinesHiddenBehindAMatchAcrossLines() {
        // over the whole block, "password:" + \s* would run into the next line; per line it does not
        assertThat(mask("password:\npassword=abc\nok\n")).isEqualTo("password:\npassword=***\nok\n");
        // RE2's own named-group syntax works too; ^ and $ are the line's ends
        LineMasker look = new LineMasker(List.of(Pattern.compile("pin=(?P<secret>\\d+)"), Pattern.compile("^x$")));
        assertThat(lines(look, utf8("a pin=1234\nx\nb\n"))).isEqualTo("a pin=***\n***\nb\n");
    }

    @Test
    void countsAndFlushWithoutNewline() {
        LineMasker m = masker();
        assertThat(str(m.feed(utf8("a password=x\nb token=y")))).isEqualTo("a password=***\n");
        assertThat(str(m.flush())).isEqualTo("b token=***");
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void pemPrivateKeyBlockIsMaskedAcrossLines() {
        String log = "start\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq83+abc\n-----END RSA PRIVATE KEY----- tail\nafter\n";
        String out = mask(log);
        assertThat(out).doesNotContain("MIIE", "q83").contains("start\n", " tail\nafter\n");
        assertThat(out.split("\n")).hasSize(6);
        assertThat(mask("-----BEGIN PRIVATE KEY----- abc -----END PRIVATE KEY----- x\nnext\n")).endsWith("x\nnext\n");
    }

    @Test
    void binaryAndNonUtf8BytesPassThrough() {
        byte[] in = {(byte) 0xff, (byte) 0xfe, 0, 'a', '\n', (byte) 0xc3, (byte) 0xa9, '\n'};
        assertThat(lines(masker(), in).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(in);
        assertThat(lines(new LineMasker(List.of()), in).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(in);
    }

    @Test
    void everySplitPointGivesTheSameOutput() {
        String log = "ts=1 msg=\"login\" password=hunter2 user=é😀\r\n"
                + "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
                + "aws_secret_access_key: " + AWS_SECRET + "\n"
                + "curl -H 'Authorization: Bearer " + JWT + "'\n"
                + "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkey\n-----END EC PRIVATE KEY-----\n"
                + "redis://default:pa55word@redis:6379 tail";
        byte[] in = log.getBytes(StandardCharsets.UTF_8);
        String whole = lines(masker(), in);
        assertThat(whole).doesNotContain("hunter2", "AKIAIOSFODNN7EXAMPLE", AWS_SECRET, JWT, "MHcCAQEEIBkey", "pa55word");
        for (int i = 0; i <= in.length; i++) {
            assertThat(lines(masker(), in, i)).as("split at %d", i).isEqualTo(whole);
        }
        int[] every = new int[in.length - 1];
        for (int i = 0; i < every.length; i++) {
            every[i] = i + 1;
        }
        assertThat(lines(masker(), in, every)).isEqualTo(whole);
    }

    @Test
    void longLinesAreCutWithoutSplittingASecret() {
        // a secret placed across the cut (MAX_LINE - TAIL) and across the buffer bound (MAX_LINE),
        // fed in chunks split at every point around it
        String secret = "Zx9" + "q".repeat(37);
        for (int pos : new int[]{LineMasker.MAX_LINE - LineMasker.TAIL - 20, LineMasker.MAX_LINE - 30,
                LineMasker.MAX_LINE - 10, LineMasker.MAX_LINE + 5, 3 * LineMasker.MAX_LINE}) {
            String line = "a".repeat(pos) + " password=" + secret + " " + "b".repeat(100) + "\n";
            byte[] in = line.getBytes(StandardCharsets.ISO_8859_1);
            for (int cut = pos - 5; cut < pos + 60; cut++) {
                String out = lines(masker(), in, cut);
                assertThat(out).as("secret at %d, chunk cut at %d", pos, cut).doesNotContain("Zx9", "qqqq").endsWith("b\n");
                assertThat(out.length()).isEqualTo(line.length() - secret.length() + 3);
            }
            String bytewise = lines(masker(), in, java.util.stream.IntStream.range(1, in.length).toArray());
            assertThat(bytewise).doesNotContain("Zx9");
        }
    }

    @Test
    void aSingleMatchLongerThanTheBufferIsMaskedAsFarAsItGoes() {
        Pattern longToken = Pattern.compile("T{10,}");
        LineMasker m = new LineMasker(List.of(longToken));
        String out = lines(m, ("x" + "T".repeat(LineMasker.MAX_LINE * 2) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(out).doesNotContain("TTTTTTTTTT"); // each piece matches on its own here
    }

    @Test
    void memoryIsBoundedForEndlessLines() {
        LineMasker m = masker();
        byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.ISO_8859_1);
        long out = 0;
        for (int i = 0; i < 32; i++) {
            out += m.feed(chunk).length;
        }
        out += m.flush().length;
        assertThat(out).isEqualTo(32L << 20);
    }

    @Test
    void theDfaMasksWhatRe2jMasksOnOrdinaryLogs() {
        String log = "ts=1 msg=\"login\" password=hunter2 user=bob\n"
                + "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE GITHUB_TOKEN=ghp_" + "a".repeat(36) + "\n"
                + "aws_secret_access_key: " + AWS_SECRET + " ok\n"
                + "curl -H 'Authorization: Bearer " + JWT + "' --db-password s3cr3t https://u:pw@h/x\n"
                + "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkey\n-----END EC PRIVATE KEY----- tail\n"
                + "-----BEGIN PRIVATE KEY-----abc\\nMIIE\\n-----END PRIVATE KEY----- after\n"
                + "nothing here\n";
        byte[] in = log.getBytes(StandardCharsets.ISO_8859_1);
        LineMasker reference = new LineMasker(RULES.logPatterns(), true, KnownValues.NONE, false);
        assertThat(lines(masker(), in)).isEqualTo(lines(reference, in)).endsWith(" after\nnothing here\n");
    }

    @Test
    void aPatternTheDfaCannotReadStaysOnRe2j() {
        // 21 counted runs of 1000: more automaton states than the DFA engine takes; RE2/J runs it
        StringBuilder big = new StringBuilder("K");
        for (char c = 'a'; c < 'a' + 21; c++) {
            big.append(c).append("{0,1000}");
        }
        Pattern p = Pattern.compile(big.toString());
        assertThat(TextPatterns.reads(p.pattern())).isFalse();
        LineMasker m = new LineMasker(List.of(p, Pattern.compile("pin=(?P<secret>\\d+)")));
        assertThat(lines(m, utf8("x Kabc y pin=12\n"))).isEqualTo("x *** y pin=***\n");
    }
}
