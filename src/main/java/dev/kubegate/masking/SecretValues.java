package dev.kubegate.masking;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The values of one Secret ({@code data} base64-decoded, {@code stringData} as is) in every form
 * they can take in that Secret's JSON: raw text, base64, and the JSON-escaped text Go writes into
 * {@code last-applied-configuration}. {@link #leaks} tells whether a string holds one of them.
 *
 * <p>Short values are matched only as the whole string: a form of fewer than
 * {@link #MIN_SUBSTRING} characters (a 1-byte value, {@code "true"}, {@code "5432"}, {@code "admin"})
 * occurs by chance inside names, timestamps and manager names, and matching it inside them would
 * blank out unrelated metadata. Copying a value elsewhere in the object (a JSON patch {@code copy} or
 * {@code move}) always copies it whole, so whole-string matching still catches that; embedding a short
 * value inside a longer string requires knowing it already. Not thread-safe while being built.
 */
public final class SecretValues {

    /** Forms this long (in characters) or longer are found inside strings; shorter ones only as the whole string. */
    public static final int MIN_SUBSTRING = 8;

    private final List<String> inside = new ArrayList<>();
    private final Set<String> whole = new HashSet<>();

    /**
     * The values of a Secret given as JSON (the object as it is before a write: a JSON patch
     * {@code move} takes a value out of {@code data}, so only the old object still has it). Empty
     * when the document is not a JSON object; never fails.
     */
    public static SecretValues ofSecret(byte[] json) {
        SecretValues v = new SecretValues();
        if (json == null) {
            return v;
        }
        try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return v;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                boolean data = field.equals("data"), stringData = field.equals("stringData");
                if ((data || stringData) && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        if (p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                            if (data) v.addBase64(p.getText()); else v.addRaw(p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (java.io.IOException e) {
            // what was read so far still counts
        }
        return v;
    }

    /** Whether no value was added (a Secret without data). */
    public boolean isEmpty() {
        return inside.isEmpty() && whole.isEmpty();
    }

    /** A {@code data} value: base64 as in the JSON; its decoded text too when it is UTF-8. */
    public void addBase64(String b64) {
        add(b64);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException notBase64) {
            return; // the API server would not have stored it; the string itself is covered
        }
        String text = utf8(raw);
        if (text != null) {
            addText(text);
        }
    }

    /** A {@code stringData} value. */
    public void addRaw(String text) {
        addText(text);
        add(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
    }

    private void addText(String text) {
        add(text);
        String escaped = goJsonEscape(text);
        if (!escaped.equals(text)) {
            add(escaped);
        }
    }

    private void add(String form) {
        if (form.isEmpty()) {
            return;
        }
        if (form.codePointCount(0, form.length()) >= MIN_SUBSTRING) {
            if (!inside.contains(form)) {
                inside.add(form);
            }
        } else {
            whole.add(form);
        }
    }

    /** Whether {@code s} is a short value or contains a long one, in any of its forms. */
    public boolean leaks(String s) {
        if (whole.contains(s)) {
            return true;
        }
        for (String form : inside) {
            if (s.contains(form)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code s} with every form of every value replaced by {@code mask}: long forms wherever they
     * occur, short ones where they stand alone (not inside a longer word or base64 run), so a short
     * value quoted in a message goes while the same letters inside other words stay.
     */
    public String redact(String s, String mask) {
        if (isEmpty() || s.isEmpty()) {
            return s;
        }
        String out = s;
        for (String form : inside) {
            out = out.replace(form, mask);
        }
        for (String form : whole) {
            out = replaceStandalone(out, form, mask);
        }
        return out;
    }

    private static String replaceStandalone(String s, String form, String mask) {
        StringBuilder b = null;
        int from = 0;
        for (int at = s.indexOf(form); at >= 0; at = s.indexOf(form, at + 1)) {
            int end = at + form.length();
            if (at < from || at > 0 && wordChar(s.charAt(at - 1)) || end < s.length() && wordChar(s.charAt(end))) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(s.length());
            }
            b.append(s, from, at).append(mask);
            from = end;
        }
        return b == null ? s : b.append(s, from, s.length()).toString();
    }

    /** Letters, digits and the base64 alphabet's extras: a value next to one of these is part of a longer token. */
    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
    }

    private static String utf8(byte[] raw) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
            return c.toString();
        } catch (CharacterCodingException binary) {
            return null; // not text: it can only appear as base64
        }
    }

    /** The body of a JSON string as Go's encoding/json writes it (HTML-safe escaping, as kubectl does). */
    static String goJsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
