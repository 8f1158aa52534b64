package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DFA engine against an oracle that tries every substring: java.util.regex, region matching
 * with transparent bounds (so {@code \b} sees the characters around the region) and non-anchoring
 * bounds (so {@code ^ $} hold only at the text's ends).
 */
class TextPatternsTest {

    static final List<String> DEFAULT_PACK = MaskingFixtures.defaults().logPatterns().stream()
            .map(com.google.re2j.Pattern::pattern).toList();

    static final String[] PIECES = {"password", "PassWord", "=", ":", " ", "\"", "'", "AKIA", "ASIA", "eyJ", ".", "ab", "Z9",
            "QQQQQQQQ", "-", "--", "_", "bearer ", "Bearer\t", "://", "@", "/", "-----BEGIN ", "RSA ", "PRIVATE KEY-----",
            "-----END ", "ghp_", "xxxxxxxxxxxxxxxxxxxx", "0123456789", "token", "aws_secret_access_key", ";", "&", "é", "\u00ff",
            "--db-password", "github_pat_", "http", "s3cr3t"};

    @Test
    void wholeMatchCoverageEqualsEveryMatchOfEverySubstring() {
        Random r = new Random(7);
        TextPatterns dfa = TextPatterns.of(DEFAULT_PACK, true).orElseThrow();
        List<Pattern> oracle = DEFAULT_PACK.stream().map(TextPatternsTest::oracle).toList();
        for (int n = 0; n < 150; n++) {
            String text = randomText(r, 12);
            BitSet want = new BitSet();
            for (Pattern p : oracle) {
                for (int s = 0; s <= text.length(); s++) {
                    for (int e = s + 1; e <= text.length(); e++) {
                        if (matches(p, text, s, e)) {
                            want.set(s, e);
                        }
                    }
                }
            }
            assertThat(covered(dfa, text)).as("%s", text).isEqualTo(want);
        }
    }

    @Test
    void secretGroupCoverageEqualsEveryPrefixAndGroupSplit() {
        // a narrowed pattern is A(?<secret>G)C: a character is masked when G covers it between an A and a C
        Random r = new Random(11);
        for (String source : DEFAULT_PACK) {
            int g = source.indexOf("(?<secret>");
            if (g < 0) {
                continue;
            }
            int close = closingParen(source, g);
            String flags = source.startsWith("(?i)") ? "(?i)" : "";
            Pattern a = oracle(source.substring(0, g));
            Pattern group = oracle(flags + source.substring(g + "(?<secret>".length(), close));
            Pattern c = oracle(flags + source.substring(close + 1));
            TextPatterns dfa = TextPatterns.of(List.of(source), false).orElseThrow();
            for (int n = 0; n < 60; n++) {
                String text = randomText(r, 10);
                BitSet want = new BitSet();
                for (int mid = 0; mid <= text.length(); mid++) {
                    if (!anyMatchEndingAt(a, text, mid)) {
                        continue;
                    }
                    for (int e = mid + 1; e <= text.length(); e++) {
                        if (matches(group, text, mid, e) && anyMatchStartingAt(c, text, e)) {
                            want.set(mid, e);
                        }
                    }
                }
                assertThat(covered(dfa, text)).as("%s on %s", source, text).isEqualTo(want);
            }
        }
    }

    private static boolean anyMatchEndingAt(Pattern p, String text, int end) {
        for (int s = 0; s <= end; s++) {
            if (matches(p, text, s, end)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyMatchStartingAt(Pattern p, String text, int start) {
        for (int e = start; e <= text.length(); e++) {
            if (matches(p, text, start, e)) {
                return true;
            }
        }
        return false;
    }

    private static int closingParen(String re, int open) {
        int depth = 0;
        for (int i = open; i < re.length(); i++) {
            char ch = re.charAt(i);
            if (ch == '\\') {
                i++;
            } else if (ch == '[') {
                while (re.charAt(++i) != ']') {
                    if (re.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException(re);
    }

    @Test
    void masksAtLeastWhatTheLeftmostMatchMasks() {
        Random r = new Random(5);
        TextPatterns dfa = TextPatterns.of(DEFAULT_PACK, false).orElseThrow();
        List<com.google.re2j.Pattern> re2 = MaskingFixtures.defaults().logPatterns();
        for (int n = 0; n < 400; n++) {
            String text = randomText(r, 25);
            BitSet leftmost = new BitSet();
            for (com.google.re2j.Pattern p : re2) {
                com.google.re2j.Matcher m = p.matcher(text);
                while (m.find()) {
                    boolean narrowed = p.namedGroups().containsKey("secret");
                    leftmost.set(narrowed ? m.start("secret") : m.start(), narrowed ? m.end("secret") : m.end());
                }
            }
            BitSet got = covered(dfa, text);
            BitSet missing = (BitSet) leftmost.clone();
            missing.andNot(got);
            assertThat(missing.isEmpty()).as("unmasked %s in %s", missing, text).isTrue();
        }
    }

    @Test
    void readsRe2SyntaxAndRefusesWhatItCannotRead() {
        assertThat(TextPatterns.reads("(?i)\\bpin[:=](?P<secret>\\d{4,8})\\b")).isTrue();
        assertThat(TextPatterns.reads("[[:alpha:]]+\\pL\\p{Greek}[^\\s\\]]\\x41\\x{42}\\Q.*\\E(?s:.)(?-i:a)")).isTrue();
        assertThat(TextPatterns.reads("a{2}{3}")).isFalse();
        assertThat(TextPatterns.reads("\\p{NoSuchScript}")).isFalse();
        assertThat(cover("(?i)pin=(?P<secret>\\d+)", "PIN=1234 pin=5")).isEqualTo("PIN=*** pin=***");
        assertThat(cover("\\Q.*\\E", "a.*b")).isEqualTo("a***b");
        assertThat(cover("^x$", "x")).isEqualTo("***");
        assertThat(cover("^x$", "xx")).isEqualTo("xx");
        assertThat(cover("\\bab\\b", "ab cab ab_ ab")).isEqualTo("*** cab ab_ ***");
        assertThat(cover("\\Bb", "ab b")).isEqualTo("a*** b");
        assertThat(cover("x{2,3}", "x xx xxxx")).isEqualTo("x *** ***");
        assertThat(cover("[^a]+", "\u00ff\u00e9a")).isEqualTo("***a");
        assertThat(cover("(?i)\u00e9", "\u00c9")).isEqualTo("***");
        assertThat(cover("(?i)[^a]", "aAb")).isEqualTo("aA***");
    }

    @Test
    void endsOfMatches() {
        TextPatterns end = TextPatterns.of(List.of("-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"), true).orElseThrow();
        String s = "ab-----END RSA PRIVATE KEY----- cd -----END PRIVATE KEY-----";
        assertThat(end.firstEnd(latin1(s), 0, s.length())).isEqualTo(s.indexOf(" cd"));
        assertThat(end.lastEnd(latin1(s), 0, s.length())).isEqualTo(s.length());
        assertThat(end.firstEnd(latin1(s), 3, s.length())).isEqualTo(s.length()); // the first marker is cut at its start
        assertThat(end.lastEnd(latin1("nothing"), 0, 7)).isEqualTo(-1);
    }

    @Test
    void aStateExplosionStaysCorrectPastTheCache() {
        // every subset of 12 positions inside the counted run is a DFA state: more than the cache holds
        TextPatterns dfa = TextPatterns.of(List.of("a[ab]{12}c"), true).orElseThrow();
        Random r = new Random(3);
        Pattern oracle = Pattern.compile("a[ab]{12}c");
        for (int n = 0; n < 3; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 40_000; i++) {
                sb.append(r.nextInt(50) == 0 ? 'c' : r.nextBoolean() ? 'a' : 'b');
            }
            String text = sb.toString();
            BitSet want = new BitSet();
            Matcher m = oracle.matcher(text);
            for (int s = 0; s + 14 <= text.length(); s++) {
                if (m.region(s, s + 14).matches()) {
                    want.set(s, s + 14);
                }
            }
            assertThat(covered(dfa, text)).isEqualTo(want);
        }
    }

    private static String cover(String pattern, String text) {
        TextPatterns dfa = TextPatterns.of(List.of(pattern), false).orElseThrow();
        StringBuilder out = new StringBuilder();
        int[] at = {0};
        dfa.cover(latin1(text), 0, text.length(), new TextPatterns.Scratch(), (a, e) -> {
            out.append(text, at[0], a).append("***");
            at[0] = e;
        });
        return out.append(text.substring(at[0])).toString();
    }

    private static BitSet covered(TextPatterns dfa, String text) {
        BitSet got = new BitSet();
        int[] last = {-1};
        dfa.cover(latin1(text), 0, text.length(), new TextPatterns.Scratch(), (a, e) -> {
            assertThat(a).isGreaterThan(last[0]).isLessThan(e);
            last[0] = e;
            got.set(a, e);
        });
        return got;
    }

    /** java.util.regex with RE2's ASCII \\b (Java 17's \\b counts letters like é as word characters). */
    private static Pattern oracle(String re2) {
        String w = "[0-9A-Za-z_]";
        return Pattern.compile(re2.replace("\\b", "(?:(?<=" + w + ")(?!" + w + ")|(?<!" + w + ")(?=" + w + "))"));
    }

    private static byte[] latin1(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(Pattern p, String text, int s, int e) {
        Matcher m = p.matcher(text);
        m.useTransparentBounds(true).useAnchoringBounds(false).region(s, e);
        return m.matches();
    }

    private static String randomText(Random r, int maxPieces) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(maxPieces);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }
}
