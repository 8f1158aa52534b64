package dev.kubegate.masking;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming masker for Kubernetes JSON answers: single objects, {@code *List} and {@code List},
 * {@code meta.k8s.io} Tables ({@code rows[].object}) and watch streams (one JSON value per event,
 * each re-emitted with a trailing newline as soon as it is complete).
 *
 * <p>Feed network chunks as they come ({@link #feed}), split anywhere; each call returns the masked
 * output that is ready. {@link #finish()} at end of stream. Structure and keys are kept; masked
 * scalar values become {@link #PLACEHOLDER}, or {@link #BASE64_PLACEHOLDER} where clients base64-decode
 * the value (Secret {@code data}, ConfigMap {@code binaryData}). {@code null} stays {@code null}.
 * The output is semantically the input (same tree; numbers keep their text) but not byte-identical:
 * whitespace is dropped, escapes are normalised, and deferred fields (see below) may move later
 * within their object.
 *
 * <p>What is masked:
 * <ul>
 *   <li>Secret {@code data}, {@code stringData} (and {@code binaryData}) values, when
 *       {@link MaskRules#secrets()}: in a root object (or each object of a root array), in
 *       {@code items[]} of a list, in
 *       {@code rows[].object} of a Table and in a watch event's {@code object}, recursively;</li>
 *   <li>ConfigMap {@code data}/{@code binaryData} values whose key matches a key pattern;</li>
 *   <li>{@code env[].value} of any element of a {@code containers}, {@code initContainers} or
 *       {@code ephemeralContainers} array anywhere (pods, every workload template, CRDs), when any
 *       {@code name} of the entry matches a key pattern;</li>
 *   <li>the {@code kubectl.kubernetes.io/last-applied-configuration} annotation: replaced whole on
 *       a Secret; on other objects the JSON it holds is masked by a nested masker with the same
 *       rules (so a Deployment's env values or a ConfigMap's keys are masked there too); a value
 *       that is not JSON is replaced whole.</li>
 * </ul>
 *
 * <p>Kind may come after {@code data}. The Kubernetes serializers write {@code kind} first and
 * list items carry no kind (the list's kind gives it), so this is rare; when it happens the
 * {@code data}/{@code stringData}/{@code binaryData} fields of that object are held back (as
 * parsed tokens, at most {@link #DEFER_CAP} chars in all) and written once {@code kind} is read or
 * the object ends, so they may move after {@code kind}. An object whose kind stays unknown, or
 * whose held-back fields exceed the cap, is treated as a Secret (fail closed: over-masking).
 * A second, different {@code kind} in one object is refused ({@link MaskingException}): clients
 * disagree on which duplicate wins. Env values are always held until their entry ends, so that
 * any {@code name} of the entry (duplicates included) can decide.
 *
 * <p>Memory is bounded whatever the size of the document: the largest token (at most
 * {@link #MAX_TOKEN_CHARS} chars, held by the parser and copied once), the nesting stack (at most
 * {@link #MAX_DEPTH}), held-back fields ({@link #DEFER_CAP} chars plus one token), and the output of
 * one {@link #feed} call. Anything beyond these limits is a {@link MaskingException}.
 *
 * <p>Not thread-safe: one instance per response, driven by one thread at a time.
 */
public final class JsonMasker implements StreamMasker {

    /** Replaces a masked value. */
    public static final String PLACEHOLDER = "***";
    /** Replaces a masked base64 value: base64 of {@code "***"}, so decoding clients keep working. */
    public static final String BASE64_PLACEHOLDER = "Kioq";
    /** Longest string, number or key accepted, in chars. Larger than any object etcd stores. */
    public static final int MAX_TOKEN_CHARS = 16 << 20;
    /** Deepest nesting accepted. */
    public static final int MAX_DEPTH = 1000;
    /** Held-back chars (fields waiting for {@code kind}, env values waiting for their names). */
    public static final int DEFER_CAP = 1 << 20;

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    // What the next value is, by where it sits (roles of frames and of values).
    private static final int GENERIC = 0, RESOURCE = 1, ITEMS = 2, ROWS = 3, ROW = 4, METADATA = 5,
            ANNOTATIONS = 6, LAST_APPLIED_VALUE = 7, CONTAINERS = 8, CONTAINER = 9, ENV = 10,
            ENV_ENTRY = 11, ENV_NAME = 12, ENV_VALUE = 13, SECRET_DATA = 14, CONFIGMAP_DATA = 15,
            MASK = 16, KIND = 17;
    // What a resource object is.
    private static final int UNKNOWN = 0, SECRET = 1, CONFIGMAP = 2, OTHER = 3;

    /** One open object or array; pooled by depth. */
    private static final class Frame {
        int role;
        boolean array;
        int next;            // role of the next value
        boolean b64;         // masked values here are base64 (SECRET_DATA, CONFIGMAP_DATA, MASK)
        boolean nextB64;
        // RESOURCE
        String kind;
        int inherited;       // class given by the enclosing list's kind
        boolean assumeSecret;
        int deferStart;      // first held-back token of this object, or -1
        // ITEMS: class of the elements; METADATA/ANNOTATIONS: index of their resource frame
        int elemClass;
        int owner;
        // ENV_ENTRY
        boolean envMatched;
        final List<Object> pending = new ArrayList<>(); // JsonToken, text pairs
        int pendingChars;

        Frame reset(int role, boolean array) {
            this.role = role;
            this.array = array;
            next = GENERIC;
            b64 = nextB64 = false;
            kind = null;
            inherited = UNKNOWN;
            assumeSecret = false;
            deferStart = -1;
            elemClass = UNKNOWN;
            owner = -1;
            envMatched = false;
            pending.clear();
            pendingChars = 0;
            return this;
        }
    }

    private final MaskRules rules;
    private final ResourceHint hint;
    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final JsonStreams.Output out = new JsonStreams.Output();
    private final JsonGenerator gen;

    private Frame[] stack = new Frame[16];
    private int top = -1;

    // Held-back tokens: parallel arrays, shared by nested objects in stack order.
    private JsonToken[] heldTokens = new JsonToken[64];
    private String[] heldTexts = new String[64];
    private int held;
    private long heldChars;
    private int captureDepth = -1;   // >= 0 while the value being read is held back

    // Replay of held-back tokens goes through the same code as live tokens.
    private String replayText;
    private boolean replaying;

    private long masked;
    private boolean failed;

    public JsonMasker(MaskRules rules, ResourceHint hint) {
        this.rules = rules;
        this.hint = hint;
        try {
            parser = JsonStreams.FACTORY.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            gen = JsonStreams.FACTORY.createGenerator(out);
            gen.setRootValueSeparator(null); // we end each root value with '\n' ourselves, at once
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Number of values masked so far. */
    @Override
    public long maskedCount() {
        return masked;
    }

    public byte[] feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /**
     * Masks the next chunk; returns the output that is ready (possibly empty). The chunk is not
     * retained after the call returns.
     */
    @Override
    public byte[] feed(byte[] chunk, int off, int len) {
        check();
        try {
            feeder.feedInput(chunk, off, off + len);
            drain();
            gen.flush();
            return out.take();
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /** End of input: returns the last output; fails if the document is incomplete. */
    @Override
    public byte[] finish() {
        check();
        try {
            feeder.endOfInput();
            drain();
            if (top >= 0 || captureDepth >= 0) {
                throw new MaskingException("the JSON document is truncated");
            }
            gen.flush();
            byte[] last = out.take();
            failed = true; // no more input
            return last;
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /** Between two root values (watch events): nothing of a value in progress has been written. */
    @Override
    public boolean atBoundary() {
        return top < 0 && captureDepth < 0;
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
            if (captureDepth >= 0) {
                capture(t, t == JsonToken.FIELD_NAME ? parser.currentName() : t.isScalarValue() ? parser.getText() : null);
            } else {
                on(t);
            }
        }
    }

    // ---- the state machine; the same for live and replayed tokens ----

    private void on(JsonToken t) throws IOException {
        Frame f = top >= 0 ? stack[top] : null;
        switch (t) {
            case FIELD_NAME -> field(f, name());
            case START_OBJECT, START_ARRAY -> open(f, t == JsonToken.START_ARRAY);
            case END_OBJECT, END_ARRAY -> close(f, t == JsonToken.END_ARRAY);
            default -> scalar(f, t);
        }
    }

    private void open(Frame parent, boolean array) throws IOException {
        int role = parent == null ? (array ? ITEMS : RESOURCE) : parent.next; // a root array: objects in a row
        boolean b64 = parent != null && parent.nextB64;
        Frame f;
        switch (role) {
            case MASK -> {
                f = push(MASK, array);
                f.b64 = b64;
                f.next = MASK;
                f.nextB64 = b64;
            }
            case ENV_VALUE -> { // not a string: nothing to wait for, mask it all
                gen.writeFieldName("value");
                f = push(MASK, array);
                f.next = MASK;
            }
            case KIND, ENV_NAME, LAST_APPLIED_VALUE -> f = push(GENERIC, array); // not a string: plain data
            default -> {
                int expected = switch (role) {
                    case ITEMS, ROWS, CONTAINERS, ENV -> 1;
                    case GENERIC -> array ? 1 : 0;
                    default -> 0;
                };
                if (role == SECRET_DATA && array) { // malformed, but still a Secret's content
                    role = MASK;
                    expected = 1;
                }
                f = push(expected == (array ? 1 : 0) ? role : GENERIC, array);
                if (array) {
                    f.next = switch (f.role) {
                        case ITEMS -> RESOURCE;
                        case ROWS -> ROW;
                        case CONTAINERS -> CONTAINER;
                        case ENV -> ENV_ENTRY;
                        default -> GENERIC;
                    };
                }
                if (f.role == ITEMS) {
                    f.elemClass = parent == null ? UNKNOWN : itemClass(parent.kind);
                } else if (f.role == RESOURCE && parent != null && parent.role == ITEMS) {
                    f.inherited = parent.elemClass;
                } else if (f.role == METADATA) {
                    f.owner = top - 1;
                } else if (f.role == ANNOTATIONS) {
                    f.owner = parent.owner;
                } else if (f.role == SECRET_DATA || f.role == CONFIGMAP_DATA) {
                    f.b64 = b64;
                } else if (f.role == MASK) {
                    f.b64 = f.nextB64 = b64;
                    f.next = MASK;
                }
            }
        }
        if (array) {
            gen.writeStartArray();
        } else {
            gen.writeStartObject();
        }
    }

    private void close(Frame f, boolean array) throws IOException {
        if (f.role == RESOURCE && f.deferStart >= 0) {
            // the kind never came: the enclosing list's kind decides, else assume a Secret
            switch (f.inherited) {
                case CONFIGMAP -> f.kind = "ConfigMap";
                case OTHER -> f.kind = "";
                default -> f.assumeSecret = true;
            }
            replayHeld(f);
        } else if (f.role == ENV_ENTRY) {
            flushPending(f);
        }
        if (array) {
            gen.writeEndArray();
        } else {
            gen.writeEndObject();
        }
        top--;
        if (top < 0) {
            gen.writeRaw('\n');
        }
    }

    private void field(Frame f, String name) throws IOException {
        int next = GENERIC;
        boolean b64 = false;
        switch (f.role) {
            case RESOURCE -> {
                switch (name) {
                    case "kind" -> next = KIND;
                    case "items" -> next = ITEMS;
                    case "rows" -> next = ROWS;
                    case "object" -> next = RESOURCE;
                    case "metadata" -> next = METADATA;
                    case "data", "stringData", "binaryData" -> {
                        int cls = classify(f);
                        // base64 where clients decode: Secret data, binaryData of either kind
                        b64 = name.equals("binaryData") || name.equals("data") && cls == SECRET;
                        switch (cls) {
                            case UNKNOWN -> { // wait for kind: hold the field back
                                if (f.deferStart < 0) {
                                    f.deferStart = held;
                                }
                                captureDepth = 0;
                                hold(JsonToken.FIELD_NAME, name);
                                return;
                            }
                            case SECRET -> next = rules.secrets() ? SECRET_DATA : GENERIC;
                            case CONFIGMAP -> next = rules.keyPatterns().isEmpty() ? GENERIC : CONFIGMAP_DATA;
                            default -> next = GENERIC;
                        }
                    }
                    default -> next = genericChild(name);
                }
            }
            case ROW -> next = name.equals("object") ? RESOURCE : genericChild(name);
            case METADATA -> next = name.equals("annotations") ? ANNOTATIONS : genericChild(name);
            case ANNOTATIONS -> next = name.equals(LAST_APPLIED) ? LAST_APPLIED_VALUE : GENERIC;
            case CONTAINER -> next = name.equals("env") ? ENV : genericChild(name);
            case ENV_ENTRY -> {
                switch (name) {
                    case "name" -> next = ENV_NAME;
                    case "value" -> { // written with its value, once the entry's names are known
                        f.next = ENV_VALUE;
                        return;
                    }
                    default -> next = genericChild(name);
                }
            }
            case SECRET_DATA -> {
                next = MASK;
                b64 = f.b64;
            }
            case CONFIGMAP_DATA -> {
                next = rules.keyMatches(name) ? MASK : GENERIC;
                b64 = f.b64;
            }
            case MASK -> {
                next = MASK;
                b64 = f.b64;
            }
            default -> next = genericChild(name);
        }
        f.next = next;
        f.nextB64 = b64;
        gen.writeFieldName(name);
    }

    private static int genericChild(String name) {
        return switch (name) {
            case "containers", "initContainers", "ephemeralContainers" -> CONTAINERS;
            default -> GENERIC;
        };
    }

    private void scalar(Frame f, JsonToken t) throws IOException {
        int role = f == null ? GENERIC : f.next;
        switch (role) {
            case MASK -> writeMasked(t, f.nextB64);
            case KIND -> {
                copy(t);
                if (t == JsonToken.VALUE_STRING) {
                    String k = text();
                    if (f.kind != null && !f.kind.equals(k)) {
                        throw new MaskingException("an object has two different kinds: " + f.kind + " and " + k);
                    }
                    f.kind = k;
                    if (f.deferStart >= 0) {
                        replayHeld(f);
                    }
                }
            }
            case ENV_NAME -> {
                copy(t);
                if (t == JsonToken.VALUE_STRING && !f.envMatched && rules.keyMatches(text())) {
                    f.envMatched = true;
                    flushPending(f);
                }
            }
            case ENV_VALUE -> {
                if (f.envMatched) {
                    gen.writeFieldName("value");
                    writeMasked(t, false);
                } else {
                    String s = t == JsonToken.VALUE_NULL ? null : text();
                    f.pending.add(t);
                    f.pending.add(s);
                    f.pendingChars += s == null ? 4 : s.length();
                    if (f.pendingChars > DEFER_CAP) { // too much to hold: mask (fail closed)
                        f.envMatched = true;
                        flushPending(f);
                    }
                }
            }
            case LAST_APPLIED_VALUE -> lastApplied(f, t);
            default -> copy(t);
        }
        if (top < 0) {
            gen.writeRaw('\n');
        }
    }

    // ---- Secrets / ConfigMaps: held-back fields ----

    private int classify(Frame f) {
        if (hint == ResourceHint.SECRETS || f.assumeSecret) {
            return SECRET;
        }
        if (f.kind != null) {
            return kindClass(f.kind);
        }
        return f.inherited == SECRET ? SECRET : UNKNOWN;
    }

    private static int kindClass(String kind) {
        return switch (kind) {
            case "Secret" -> SECRET;
            case "ConfigMap" -> CONFIGMAP;
            default -> OTHER;
        };
    }

    /** Class of the items of a list of this kind: {@code SecretList} holds Secrets; {@code List} says nothing. */
    private static int itemClass(String listKind) {
        if (listKind == null || !listKind.endsWith("List") || listKind.length() == 4) {
            return UNKNOWN;
        }
        return kindClass(listKind.substring(0, listKind.length() - 4));
    }

    private void capture(JsonToken t, String text) throws IOException {
        hold(t, text);
        if (t.isStructStart()) {
            captureDepth++;
        } else if (t.isStructEnd()) {
            captureDepth--;
        }
        if (captureDepth == 0 && t != JsonToken.FIELD_NAME) {
            captureDepth = -1; // the held-back value is complete
        }
        if (heldChars > DEFER_CAP) { // too much to hold: treat the object as a Secret
            Frame f = stack[top];
            f.assumeSecret = true;
            captureDepth = -1;
            // Replaying re-opens the unfinished value's containers on the stack; the rest of the
            // value then streams through live, masked.
            replayHeld(f);
        }
    }

    private void hold(JsonToken t, String text) {
        if (held == heldTokens.length) {
            heldTokens = Arrays.copyOf(heldTokens, held * 2);
            heldTexts = Arrays.copyOf(heldTexts, held * 2);
        }
        heldTokens[held] = t;
        heldTexts[held++] = text;
        heldChars += text == null ? 1 : text.length();
    }

    /** Writes this object's held-back fields now that its kind is known (or assumed). */
    private void replayHeld(Frame f) throws IOException {
        int from = f.deferStart, to = held;
        f.deferStart = -1;
        replaying = true;
        try {
            for (int i = from; i < to; i++) {
                replayText = heldTexts[i];
                on(heldTokens[i]);
            }
        } finally {
            replaying = false;
            replayText = null;
        }
        for (int i = from; i < to; i++) {
            heldChars -= heldTexts[i] == null ? 1 : heldTexts[i].length();
            heldTexts[i] = null;
        }
        held = from;
    }

    // ---- env ----

    private void flushPending(Frame f) throws IOException {
        List<Object> p = f.pending;
        for (int i = 0; i < p.size(); i += 2) {
            JsonToken t = (JsonToken) p.get(i);
            gen.writeFieldName("value");
            if (f.envMatched) {
                writeMasked(t, false);
            } else {
                writeText(t, (String) p.get(i + 1));
            }
        }
        p.clear();
        f.pendingChars = 0;
    }

    // ---- last-applied-configuration ----

    private void lastApplied(Frame annotations, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            copy(t);
            return;
        }
        Frame owner = annotations.owner >= 0 ? stack[annotations.owner] : null;
        if (owner != null && classify(owner) == SECRET) {
            writeMasked(t, false);
            return;
        }
        String original = text();
        JsonMasker nested = new JsonMasker(rules, ResourceHint.NONE);
        String result;
        try {
            byte[] in = original.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream o = new ByteArrayOutputStream(in.length + 16);
            o.write(nested.feed(in));
            o.write(nested.finish());
            result = nested.masked == 0 ? original : o.toString(StandardCharsets.UTF_8).strip();
        } catch (MaskingException e) { // not JSON we can read: it may hold anything
            writeMasked(t, false);
            return;
        }
        masked += nested.masked;
        gen.writeString(result);
    }

    // ---- output ----

    private String name() throws IOException {
        return replaying ? replayText : parser.currentName();
    }

    private String text() throws IOException {
        return replaying ? replayText : parser.getText();
    }

    private void writeMasked(JsonToken t, boolean b64) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            gen.writeNull();
        } else {
            gen.writeString(b64 ? BASE64_PLACEHOLDER : PLACEHOLDER);
            masked++;
        }
    }

    /** Copies the current scalar; live strings and numbers go from the parser's buffer, no String made. */
    private void copy(JsonToken t) throws IOException {
        if (replaying) {
            writeText(t, replayText);
            return;
        }
        switch (t) {
            case VALUE_STRING -> gen.writeString(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                    gen.writeNumber(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            default -> writeText(t, null);
        }
    }

    private void writeText(JsonToken t, String s) throws IOException {
        JsonStreams.writeScalar(gen, t, s);
    }

    private Frame push(int role, boolean array) {
        if (++top == stack.length) {
            stack = Arrays.copyOf(stack, top * 2);
        }
        Frame f = stack[top];
        if (f == null) {
            f = stack[top] = new Frame();
        }
        return f.reset(role, array);
    }
}
