package dev.kubegate.masking;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** What the JSON maskers share: the bounded Jackson factory, token writing, the per-call output buffer. */
final class JsonStreams {

    /** Parsers and generators with the limits of {@link JsonMasker#MAX_TOKEN_CHARS} and {@link JsonMasker#MAX_DEPTH}. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(JsonMasker.MAX_TOKEN_CHARS).maxNameLength(JsonMasker.MAX_TOKEN_CHARS)
                    .maxNestingDepth(JsonMasker.MAX_DEPTH).build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(JsonMasker.MAX_DEPTH + 1).build())
            .build();

    private JsonStreams() {
    }

    /** Writes a scalar token from its text ({@code null} for JSON null). */
    static void writeScalar(JsonGenerator gen, JsonToken t, String s) throws IOException {
        switch (t) {
            case VALUE_STRING -> gen.writeString(s);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> gen.writeNumber(s);
            case VALUE_TRUE -> gen.writeBoolean(true);
            case VALUE_FALSE -> gen.writeBoolean(false);
            case VALUE_NULL -> gen.writeNull();
            default -> throw new MaskingException("unexpected token " + t);
        }
    }

    /** Output buffer handed out per call; does not keep a large array after a large chunk. */
    static final class Output extends ByteArrayOutputStream {
        /** Small at first: one is made per masked answer, and most answers are a few KiB (zeroing 64 KiB showed in profiles). */
        Output() {
            super(4 << 10);
        }

        byte[] take() {
            byte[] b = toByteArray();
            if (buf.length > 1 << 20) {
                buf = new byte[4 << 10];
            }
            reset();
            return b;
        }
    }
}
