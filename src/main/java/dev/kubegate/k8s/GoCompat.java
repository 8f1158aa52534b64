package dev.kubegate.k8s;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Small Go standard-library behaviours the port depends on, reproduced exactly. */
final class GoCompat {

    private GoCompat() {
    }

    /**
     * {@code net/url.unescape}: {@code %XX} becomes the byte XX and, for query components only,
     * {@code +} becomes a space. A {@code %} not followed by two hex digits is an error, as in Go.
     * Go keeps the bytes as they are; a Java string cannot hold bytes that are not UTF-8 without
     * changing them, so such input is refused instead of being read differently.
     *
     * @param s ASCII text (the callers refuse anything else before decoding)
     * @param what names the decoded thing in error messages, e.g. {@code "query"}
     */
    static String unescape(String s, boolean plusIsSpace, String what) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
            return s;
        }
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    String bad = s.substring(i, Math.min(i + 3, s.length()));
                    throw new InvalidRequestException("invalid URL escape \"" + bad + "\" in " + what);
                }
                bytes[n++] = (byte) (hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else {
                bytes[n++] = (byte) (c == '+' && plusIsSpace ? ' ' : c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(what + " is not valid UTF-8 once percent-decoded");
        }
    }

    /** A character for an error message: itself if printable ASCII, else its code point. */
    static String describeChar(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** {@code strconv.ParseInt(s, 10, 64)}: optional sign, ASCII digits only, no underscores. */
    static long parseInt64(String s) throws DecodeException {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        boolean digits = s.length() > start;
        for (int i = start; i < s.length(); i++) {
            digits &= s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }
        if (!digits) {
            throw new DecodeException("strconv.ParseInt: parsing \"" + s + "\": invalid syntax");
        }
        try {
            return Long.parseLong(s); // accepts exactly the syntax checked above; may overflow
        } catch (NumberFormatException e) {
            throw new DecodeException("strconv.ParseInt: parsing \"" + s + "\": value out of range");
        }
    }

    /**
     * {@code strings.EqualFold(s, "false")}. Unicode simple case folding puts U+017F (long s) in the
     * orbit of 's', so "falſe" is false too; no other non-ASCII rune folds onto these letters.
     */
    static boolean equalFoldFalse(String s) {
        String want = "false";
        if (s.length() != want.length()) {
            return false;
        }
        for (int i = 0; i < want.length(); i++) {
            char c = s.charAt(i);
            char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            boolean longS = c == '\u017f' && want.charAt(i) == 's';
            if (lower != want.charAt(i) && !longS) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code strings.ToLower(s) == "false"}. Unlike EqualFold, ToLower maps no non-ASCII rune onto
     * these letters (the long s is already lower case), so this is ASCII case-insensitivity.
     */
    static boolean toLowerIsFalse(String s) {
        return s.length() == 5 && s.regionMatches(true, 0, "false", 0, 5) && s.chars().allMatch(c -> c < 0x80);
    }

    /** Go orders strings by their UTF-8 bytes, which is code point order (not UTF-16 order). */
    static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
