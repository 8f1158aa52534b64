package dev.kubegate.masking;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.IOException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what only a whole object can tell, one object at a time, in front of a {@link JsonMasker}
 * (which still masks by field location behind it):
 * <ul>
 *   <li>{@link ResourceHint#SECRETS}: every string of a Secret, and every key inside its maps
 *       (labels, annotations, managedFields), that holds one of that Secret's {@code data} or
 *       {@code stringData} values ({@link SecretValues}: raw, base64 or JSON-escaped) becomes
 *       {@link JsonMasker#PLACEHOLDER}; {@code data}/{@code stringData} themselves are left to the
 *       {@link JsonMasker}. A metadata-only Secret ({@code PartialObjectMetadata}, a Table row's
 *       default object) carries no values to compare with, so its label and annotation values,
 *       finalizers and {@code generateName} are masked whole (fail closed). In a {@code Status} (an
 *       error), the quoted value after {@code value: } is masked: validation errors quote the
 *       rejected value, which may have been copied from {@code data}.</li>
 *   <li>{@link ResourceHint#TOKEN_REQUEST}: {@code status.token}; {@link ResourceHint#TOKEN_REVIEW}:
 *       {@code spec.token}; {@link ResourceHint#CERTIFICATE_REQUESTS}: {@code status.certificate}
 *       ({@link JsonMasker#BASE64_PLACEHOLDER}: clients decode it).</li>
 * </ul>
 *
 * <p>Which objects: the root object, each element of {@code items} (lists) and of a root array,
 * {@code rows[].object} (Tables) and {@code object} (watch events). Such an object is held as
 * parsed tokens from its start until its {@code kind} shows it is something else (a list, a Table:
 * then it streams on, item by item) or until it ends; {@code metadata} precedes {@code data} in
 * the JSON, so nothing of an object can be written before all of it is read. Memory: one object, at
 * most {@link #MAX_OBJECT_CHARS} characters (a Secret is at most 1 MiB; its JSON with base64 and
 * last-applied copies stays well below); a larger one is a {@link MaskingException}. Lists and
 * watches stream with one item held at a time.
 *
 * <p>Not thread-safe: one instance per response.
 */
public final class WholeObjectMasker implements StreamMasker {

    /** Largest object held, in characters of its tokens. */
    public static final int MAX_OBJECT_CHARS = 8 << 20;

    /** A validation error quoting the rejected value: {@code Invalid value: "..."} (Go %q). */
    private static final Pattern QUOTED_VALUE = Pattern.compile("(value: )\"(?:[^\"\\\\]|\\\\.)*\"");

    // Roles of live (streamed) containers and of the values they expect.
    private static final int GENERIC = 0, CONTAINER = 1, ITEMS = 2, ROWS = 3, ROW = 4, CANDIDATE = 5;
    // How a held object is masked.
    private static final int COPY = 0, SECRET = 1, METADATA_ONLY = 2, STATUS = 3, TOKEN_REQUEST = 4,
            TOKEN_REVIEW = 5, CSR = 6;

    private final ResourceHint hint;
    private final StreamMasker next;
    private final SecretValues known;
    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final JsonStreams.Output out = new JsonStreams.Output();
    private final JsonGenerator gen;

    // Live containers.
    private int[] roles = new int[16];
    private int[] nexts = new int[16];
    private String[] kinds = new String[16];
    private int top = -1;

    // The object being held.
    private boolean holding;
    private int depth;
    private String topField;
    private String kind;
    private String inherited;
    private boolean hasData;
    private SecretValues values;
    private JsonToken[] tokens = new JsonToken[256];
    private String[] texts = new String[256];
    private int held;
    private long heldChars;

    private long masked;
    private boolean failed;

    /**
     * @param hint what the request was for: only {@link ResourceHint#SECRETS} and the credential hints
     *             make this masker do anything (use {@link #forAnswer})
     * @param next the masker the output goes through (a {@link JsonMasker} with the call's rules)
     */
    public WholeObjectMasker(ResourceHint hint, StreamMasker next) {
        this(hint, next, new SecretValues());
    }

    /**
     * @param known values masked in every Secret of the answer besides its own: those of the object
     *              a write changes, as it was before (a value moved out of {@code data} is still known)
     */
    public WholeObjectMasker(ResourceHint hint, StreamMasker next, SecretValues known) {
        this.hint = hint;
        this.next = next;
        this.known = known;
        try {
            parser = JsonStreams.FACTORY.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            gen = JsonStreams.FACTORY.createGenerator(out);
            gen.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The masker for a JSON answer: a {@link JsonMasker}, behind a {@code WholeObjectMasker} when the
     * request is for Secrets (and Secret values are masked) or for credentials (and they are masked).
     */
    public static StreamMasker forAnswer(MaskRules rules, ResourceHint hint) {
        return forAnswer(rules, hint, new SecretValues());
    }

    /** As {@link #forAnswer(MaskRules, ResourceHint)}, with the values of the Secret a write changes. */
    public static StreamMasker forAnswer(MaskRules rules, ResourceHint hint, SecretValues known) {
        JsonMasker json = new JsonMasker(rules, hint);
        boolean whole = hint == ResourceHint.SECRETS ? rules.secrets() : hint.credentials() && rules.credentials();
        return whole ? new WholeObjectMasker(hint, json, known) : json;
    }

    /** Masks one whole document; a {@link MaskingException} when it cannot be masked. */
    public static byte[] maskAll(StreamMasker masker, byte[] document) {
        byte[] head = masker.feed(document, 0, document.length);
        byte[] tail = masker.finish();
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Override
    public long maskedCount() {
        return masked + next.maskedCount();
    }

    @Override
    public boolean atBoundary() {
        return top < 0 && !holding && next.atBoundary();
    }

    @Override
    public byte[] feed(byte[] chunk, int off, int len) {
        check();
        try {
            feeder.feedInput(chunk, off, off + len);
            drain();
            gen.flush();
            byte[] ready = out.take();
            return ready.length == 0 ? ready : next.feed(ready, 0, ready.length);
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    @Override
    public byte[] finish() {
        check();
        try {
            feeder.endOfInput();
            drain();
            if (top >= 0 || holding) {
                throw new MaskingException("the JSON document is truncated");
            }
            gen.flush();
            byte[] ready = out.take();
            byte[] head = ready.length == 0 ? ready : next.feed(ready, 0, ready.length);
            byte[] tail = next.finish();
            failed = true;
            byte[] all = Arrays.copyOf(head, head.length + tail.length);
            System.arraycopy(tail, 0, all, head.length, tail.length);
            return all;
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    private void check() {
        if (failed) {
            throw new IllegalStateException("this masker has finished or failed");
        }
    }

    private MaskingException fail(Exception e) {
        failed = true;
        return e instanceof MaskingException m ? m
                : new MaskingException("cannot mask the response: " + e.getMessage(), e);
    }

    private void drain() throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            if (holding) {
                hold(t);
            } else {
                live(t);
            }
        }
    }

    // ---- live: containers stream through, objects that may need masking are held ----

    private void live(JsonToken t) throws IOException {
        int expected = top < 0 ? CANDIDATE : nexts[top];
        switch (t) {
            case FIELD_NAME -> {
                String name = parser.currentName();
                nexts[top] = switch (roles[top]) {
                    case CONTAINER -> switch (name) {
                        case "items" -> ITEMS;
                        case "rows" -> ROWS;
                        case "object" -> CANDIDATE;
                        default -> GENERIC;
                    };
                    case ROW -> name.equals("object") ? CANDIDATE : GENERIC;
                    default -> GENERIC;
                };
                gen.writeFieldName(name);
            }
            case START_OBJECT -> {
                if (expected == CANDIDATE) {
                    startHolding(top >= 0 && roles[top] == ITEMS ? kinds[top] : null);
                    hold(t);
                } else {
                    push(expected == ROW ? ROW : GENERIC, null);
                    gen.writeStartObject();
                }
            }
            case START_ARRAY -> {
                // a root array holds objects in a row, as a list's items do
                push(top < 0 || expected == ITEMS ? ITEMS : expected == ROWS ? ROWS : GENERIC,
                        top >= 0 && expected == ITEMS ? itemKind(kinds[top]) : null);
                gen.writeStartArray();
            }
            case END_OBJECT, END_ARRAY -> {
                if (t == JsonToken.END_OBJECT) {
                    gen.writeEndObject();
                } else {
                    gen.writeEndArray();
                }
                top--;
                endOfValue();
            }
            default -> {
                write(t, parser.getText());
                endOfValue();
            }
        }
    }

    private void push(int role, String kind) {
        if (++top == roles.length) {
            roles = Arrays.copyOf(roles, top * 2);
            nexts = Arrays.copyOf(nexts, top * 2);
            kinds = Arrays.copyOf(kinds, top * 2);
        }
        roles[top] = role;
        kinds[top] = kind;
        nexts[top] = switch (role) {
            case ITEMS -> CANDIDATE;
            case ROWS -> ROW;
            default -> GENERIC;
        };
    }

    /** After a complete value: a root value ends its line; in an array, the next element has the same role. */
    private void endOfValue() throws IOException {
        if (top < 0) {
            gen.writeRaw('\n');
        } else if (roles[top] == ITEMS) {
            nexts[top] = CANDIDATE;
        } else if (roles[top] == ROWS) {
            nexts[top] = ROW;
        }
    }

    /** The kind of a list's items: {@code SecretList} holds {@code Secret}s. */
    private static String itemKind(String listKind) {
        return listKind != null && listKind.endsWith("List") && listKind.length() > 4
                ? listKind.substring(0, listKind.length() - 4) : null;
    }

    // ---- holding one object ----

    private void startHolding(String inheritedKind) {
        holding = true;
        depth = 0;
        topField = null;
        kind = null;
        inherited = inheritedKind;
        hasData = false;
        values = new SecretValues();
        held = 0;
        heldChars = 0;
    }

    private void hold(JsonToken t) throws IOException {
        String text = null;
        switch (t) {
            case START_OBJECT, START_ARRAY -> depth++;
            case END_OBJECT, END_ARRAY -> depth--;
            case FIELD_NAME -> {
                text = parser.currentName();
                if (depth == 1) {
                    topField = text;
                    if (kind == null && (text.equals("items") || text.equals("rows") || text.equals("object"))) {
                        release(t); // a list, a Table or a watch event: stream it
                        return;
                    }
                    if (text.equals("data") || text.equals("stringData")) {
                        hasData = true;
                    }
                }
            }
            default -> {
                text = t == JsonToken.VALUE_NULL ? null : parser.getText();
                if (t == JsonToken.VALUE_STRING && depth == 1 && "kind".equals(topField)) {
                    if (kind != null && !kind.equals(text)) {
                        throw new MaskingException("an object has two different kinds: " + kind + " and " + text);
                    }
                    kind = text;
                    if (!isTarget(text)) {
                        append(t, text);
                        release(null);
                        return;
                    }
                } else if (t == JsonToken.VALUE_STRING && depth == 2 && hint == ResourceHint.SECRETS) {
                    if ("data".equals(topField)) {
                        values.addBase64(text);
                    } else if ("stringData".equals(topField)) {
                        values.addRaw(text);
                    }
                }
            }
        }
        append(t, text);
        if (depth == 0) {
            emitHeld();
        }
    }

    private void append(JsonToken t, String text) {
        if (held == tokens.length) {
            tokens = Arrays.copyOf(tokens, held * 2);
            texts = Arrays.copyOf(texts, held * 2);
        }
        tokens[held] = t;
        texts[held++] = text;
        heldChars += text == null ? 1 : text.length();
        if (heldChars > MAX_OBJECT_CHARS) {
            throw new MaskingException("an object of the answer is larger than " + MAX_OBJECT_CHARS
                    + " characters; kubegate must read it whole to mask it");
        }
    }

    private boolean isTarget(String k) {
        return switch (hint) {
            case SECRETS -> k.equals("Secret") || k.equals("PartialObjectMetadata") || k.equals("Status");
            case TOKEN_REQUEST -> k.equals("TokenRequest");
            case TOKEN_REVIEW -> k.equals("TokenReview");
            case CERTIFICATE_REQUESTS -> k.equals("CertificateSigningRequest");
            default -> false;
        };
    }

    /**
     * Not an object to mask here: writes what was held (a complete prefix of the object's fields) and
     * streams the rest; {@code fieldToken} is the field name being read now (null: none).
     */
    private void release(JsonToken fieldToken) throws IOException {
        holding = false;
        for (int i = 0; i < held; i++) {
            write(tokens[i], texts[i]);
        }
        push(CONTAINER, kind);
        clearHeld();
        if (fieldToken != null) {
            live(fieldToken);
        }
    }

    private void clearHeld() {
        Arrays.fill(texts, 0, held, null);
        held = 0;
        heldChars = 0;
        values = null;
    }

    /** The object is complete: writes it, masked as its kind says. */
    private void emitHeld() throws IOException {
        holding = false;
        int mode = mode(kind != null ? kind : inherited);
        String[] path = new String[8];
        int d = 0;
        int keyCount = 0;
        for (int i = 0; i < held; i++) {
            JsonToken t = tokens[i];
            String s = texts[i];
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (t == JsonToken.START_OBJECT) gen.writeStartObject(); else gen.writeStartArray();
                    if (++d == path.length) path = Arrays.copyOf(path, d * 2);
                    path[d] = null; // arrays: elements have no name
                }
                case END_OBJECT, END_ARRAY -> {
                    if (t == JsonToken.END_OBJECT) gen.writeEndObject(); else gen.writeEndArray();
                    d--;
                }
                case FIELD_NAME -> {
                    path[d] = s;
                    // keys inside maps (labels, annotations, managedFields) may hold a value; the
                    // object's own fields, metadata's fields and data keys are names, kept
                    if (mode == SECRET && d >= 3 && !isData(path[1]) && leaks(s)) {
                        masked++;
                        keyCount++;
                        gen.writeFieldName(JsonMasker.PLACEHOLDER + (keyCount == 1 ? "" : Integer.toString(keyCount)));
                    } else {
                        gen.writeFieldName(s);
                    }
                }
                case VALUE_STRING -> {
                    String out = maskString(mode, path, d, s);
                    if (out != s) masked++;
                    gen.writeString(out);
                }
                default -> write(t, s);
            }
        }
        clearHeld();
        endOfValue();
    }

    private int mode(String k) {
        return switch (hint) {
            case SECRETS -> {
                if (k == null) {
                    yield hasData ? SECRET : METADATA_ONLY; // unknown: a Secret, else fail closed
                }
                yield switch (k) {
                    case "Status" -> STATUS;
                    case "PartialObjectMetadata" -> METADATA_ONLY;
                    default -> SECRET;
                };
            }
            case TOKEN_REQUEST -> k == null || k.equals("TokenRequest") ? TOKEN_REQUEST : COPY;
            case TOKEN_REVIEW -> k == null || k.equals("TokenReview") ? TOKEN_REVIEW : COPY;
            case CERTIFICATE_REQUESTS -> k == null || k.equals("CertificateSigningRequest") ? CSR : COPY;
            default -> COPY;
        };
    }

    private boolean leaks(String s) {
        return values.leaks(s) || known.leaks(s);
    }

    private static boolean isData(String topLevelField) {
        return "data".equals(topLevelField) || "stringData".equals(topLevelField) || "binaryData".equals(topLevelField);
    }

    /** The string to write at {@code path[1..d]}: {@code s} itself when nothing is masked. */
    private String maskString(int mode, String[] path, int d, String s) {
        switch (mode) {
            case SECRET -> {
                if (d >= 1 && isData(path[1])) {
                    return s; // masked by location, by the JsonMasker
                }
                return leaks(s) ? JsonMasker.PLACEHOLDER : s;
            }
            case METADATA_ONLY -> {
                if (d >= 2 && "metadata".equals(path[1])) {
                    String f = path[2];
                    if (d >= 3 && ("labels".equals(f) || "annotations".equals(f) || "finalizers".equals(f))
                            || d == 2 && "generateName".equals(f)) {
                        return JsonMasker.PLACEHOLDER;
                    }
                }
                return s;
            }
            case STATUS -> {
                Matcher m = QUOTED_VALUE.matcher(s);
                return m.find() ? m.replaceAll("$1\"" + JsonMasker.PLACEHOLDER + "\"") : s;
            }
            case TOKEN_REQUEST -> {
                return at(path, d, "status", "token") ? JsonMasker.PLACEHOLDER : s;
            }
            case TOKEN_REVIEW -> {
                return at(path, d, "spec", "token") ? JsonMasker.PLACEHOLDER : s;
            }
            case CSR -> {
                return at(path, d, "status", "certificate") ? JsonMasker.BASE64_PLACEHOLDER : s;
            }
            default -> {
                return s;
            }
        }
    }

    private static boolean at(String[] path, int d, String first, String second) {
        return d == 2 && first.equals(path[1]) && second.equals(path[2]);
    }

    private void write(JsonToken t, String s) throws IOException {
        switch (t) {
            case START_OBJECT -> gen.writeStartObject();
            case START_ARRAY -> gen.writeStartArray();
            case END_OBJECT -> gen.writeEndObject();
            case END_ARRAY -> gen.writeEndArray();
            case FIELD_NAME -> gen.writeFieldName(s);
            default -> JsonStreams.writeScalar(gen, t, s);
        }
    }
}
