package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class KnownValueFilterTest {

    static final String DB = "hunter2-Sup3r-S3cret";
    static final String TOKEN = "ghs_s3cretTokenValue42";
    static final KnownValues VALUES = values(DB, TOKEN, "short", "tiny");

    static KnownValues values(String... v) {
        return KnownValues.of(java.util.Arrays.stream(v).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The whole input through one filter, cut into chunks at the given offsets, then finished. */
    static String run(KnownValueFilter f, byte[] in, int... cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int cut : cuts) {
            out.writeBytes(f.feed(in, from, cut - from));
            from = cut;
        }
        out.writeBytes(f.feed(in, from, in.length - from));
        out.writeBytes(f.finish());
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String mask(String text) {
        return run(new KnownValueFilter(VALUES), b(text));
    }

    /** No 4-character run of the value, raw or in any base64 alignment. */
    static void assertNoTrace(String out, String value) {
        for (int i = 0; i + 4 <= value.length(); i++) {
            assertThat(out).as("raw part of the value").doesNotContain(value.substring(i, i + 4));
        }
        for (int align = 0; align < 3; align++) {
            String stable = s(KnownValues.stableBase64(b(value), align));
            for (int i = 0; i + 6 <= stable.length(); i++) {
                assertThat(out).as("base64 part of the value").doesNotContain(stable.substring(i, i + 6));
            }
        }
    }

    @Test
    void rawValuesAreMaskedWhereverTheyAppear() {
        assertThat(mask("DB_PASSWORD=" + DB + "\nGITHUB_TOKEN=" + TOKEN + "\n"))
                .isEqualTo("DB_PASSWORD=***\nGITHUB_TOKEN=***\n");
        assertThat(mask("x" + DB + DB + "y")).isEqualTo("x***y"); // adjacent occurrences: one mask
        assertThat(mask("nothing " + DB.substring(0, 10) + " here\n")).isEqualTo("nothing " + DB.substring(0, 10) + " here\n");
        // values shorter than MIN_LENGTH are not masked by value
        assertThat(mask("short tiny\n")).isEqualTo("short tiny\n");
    }

    @Test
    void base64OfAValueIsMaskedAtEveryOffsetOfALongerEncoding() {
        for (int prefix = 0; prefix < 7; prefix++) {
            String env = "PATH=/bin\n" + "x".repeat(prefix) + "DB_PASSWORD=" + DB + "\nHOME=/root\n";
            String encoded = Base64.getMimeEncoder(76, new byte[]{'\n'}).encodeToString(b(env)) + "\n"; // like `base64`
            String out = mask(encoded);
            assertNoTrace(out, DB);
            assertThat(out).contains("***");
            // what is left decodes to the rest of the env, around the masked value
            String kept = out.replace("***", "").replace("\n", "");
            assertThat(kept.length()).isGreaterThan(encoded.replace("\n", "").length() / 2);
        }
        String unwrapped = Base64.getEncoder().encodeToString(b("token:" + TOKEN + ";"));
        assertNoTrace(mask(unwrapped), TOKEN);
    }

    @Test
    void everySplitPointGivesTheSameOutput() {
        String text = "a " + DB + " b\n" + Base64.getEncoder().encodeToString(b("==" + TOKEN + "==")) + "\nend " + DB.substring(0, 5);
        byte[] in = b(text);
        String whole = run(new KnownValueFilter(VALUES), in);
        assertNoTrace(whole, DB);
        assertNoTrace(whole, TOKEN);
        for (int i = 0; i <= in.length; i++) {
            assertThat(run(new KnownValueFilter(VALUES), in, i)).as("split at %d", i).isEqualTo(whole);
        }
        int[] every = java.util.stream.IntStream.range(1, in.length).toArray();
        assertThat(run(new KnownValueFilter(VALUES), in, every)).isEqualTo(whole);
    }

    @Test
    void aValuePrintedSlowlyIsHeldThroughIdleFlushes() {
        KnownValueFilter f = new KnownValueFilter(VALUES);
        StringBuilder shown = new StringBuilder();
        shown.append(s(f.feed(b("$ "), 0, 2))).append(s(f.flushIdle()));
        assertThat(shown.toString()).isEqualTo("$ "); // a prompt shows at once
        for (char c : DB.toCharArray()) { // one character, then a pause
            shown.append(s(f.feed(new byte[]{(byte) c}, 0, 1))).append(s(f.flushIdle()));
        }
        shown.append(s(f.feed(b("\n$ "), 0, 3))).append(s(f.flushIdle()));
        String out = shown.toString();
        assertThat(out).startsWith("$ ").endsWith("***\n$ ");
        // at most HOLD_MIN - 1 leading characters came out before the value could be recognised
        assertThat(out.length()).isLessThanOrEqualTo("$ ".length() + KnownValueFilter.HOLD_MIN - 1 + "***\n$ ".length());
        assertNoTrace(out, DB.substring(KnownValueFilter.HOLD_MIN - 1));
    }

    @Test
    void aHeldPrefixIsMaskedWhenTheStreamEndsAndShownWhenItDiverges() {
        KnownValueFilter f = new KnownValueFilter(VALUES);
        assertThat(s(f.feed(b("cut: " + DB.substring(0, 8)), 0, 13))).isEqualTo("cut: ");
        assertThat(s(f.flushIdle())).isEmpty();
        assertThat(s(f.finish())).isEqualTo("***");

        KnownValueFilter g = new KnownValueFilter(VALUES);
        String diverging = DB.substring(0, 8) + "!";
        assertThat(s(g.feed(b(diverging), 0, diverging.length())) + s(g.finish())).isEqualTo(diverging);
    }

    @Test
    void heldBytesAreBoundedByTheLongestValue() {
        KnownValueFilter f = new KnownValueFilter(values("a".repeat(100)));
        long out = 0;
        byte[] chunk = b("a".repeat(99) + "b");
        for (int i = 0; i < 1000; i++) {
            out += f.feed(chunk, 0, 99).length; // a prefix, held
            out += f.feed(chunk, 99, 1).length; // diverges: released
        }
        assertThat(out).isEqualTo(100_000);
    }

    @Test
    void randomStreamsNeverShowAValue() {
        Random r = new Random(7);
        List<String> parts = List.of(DB, TOKEN, DB.substring(0, 7), "\n", " ", "=", "abc", TOKEN.substring(3));
        for (int round = 0; round < 200; round++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 30; k++) {
                sb.append(parts.get(r.nextInt(parts.size())));
            }
            byte[] in = b(sb.toString());
            int[] cuts = r.ints(5, 0, in.length + 1).sorted().toArray();
            String out = run(new KnownValueFilter(VALUES), in, cuts);
            assertThat(out).doesNotContain(DB, TOKEN);
            assertThat(out.replace("***", "")).doesNotContain(DB, TOKEN);
        }
    }

    @Test
    void lineMaskerAppliesKnownValuesBeforeItsPatterns() {
        MaskRules rules = MaskingFixtures.defaults().withKnownValues(values(DB));
        LineMasker m = LineMasker.of(rules);
        String out = s(m.feed(b("db=" + DB + " password=other\n"))) + s(m.finish());
        assertThat(out).isEqualTo("db=*** password=***\n");
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void execChannelsMaskKnownValuesSentOneCharacterPerMessageWithIdleFlushes() {
        WebSocketChannelMasker ws = WebSocketChannelMasker.forProtocol("v5.channel.k8s.io",
                MaskingFixtures.defaults().withKnownValues(values(DB))).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ws.feed(WebSocketChannelMaskerTest.msg(1, "$ "), 0, WebSocketChannelMaskerTest.msg(1, "$ ").length));
        out.writeBytes(ws.flushPartialLines());
        for (char c : (DB + "\n").toCharArray()) { // as a slow printer would: one message, then a pause
            byte[] m = WebSocketChannelMaskerTest.msg(1, String.valueOf(c));
            out.writeBytes(ws.feed(m, 0, m.length));
            out.writeBytes(ws.flushPartialLines());
        }
        byte[] err = WebSocketChannelMaskerTest.msg(2, "err " + DB.substring(0, 12));
        out.writeBytes(ws.feed(err, 0, err.length));
        out.writeBytes(ws.finish()); // the stream ends with a long prefix held: masked, not shown
        List<WebSocketChannelMaskerTest.Frame> frames = WebSocketChannelMaskerTest.parse(out.toByteArray());
        String stdout = WebSocketChannelMaskerTest.channel(frames, 1);
        String stderr = WebSocketChannelMaskerTest.channel(frames, 2);
        assertThat(stdout).startsWith("$ ").endsWith("***\n");
        assertNoTrace(stdout, DB.substring(KnownValueFilter.HOLD_MIN - 1));
        assertThat(stderr).isEqualTo("err ***");
    }
}
