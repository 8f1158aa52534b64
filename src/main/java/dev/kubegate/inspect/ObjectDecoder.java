package dev.kubegate.inspect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kubegate.k8s.Status;

import java.io.IOException;

/**
 * Decodes a JSON body (a request's, or the API server's dry-run answer) into the tree policy reads.
 * Hostile bodies are bounded: the caller already capped the size, nesting depth is capped here,
 * duplicate keys are refused (the API server keeps the last, a reader could see the first), and a
 * body must be exactly one object.
 */
public final class ObjectDecoder {

    private static final int MAX_DEPTH = 100;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    private ObjectDecoder() {
    }

    /** The single JSON object in {@code body}, or an {@link InspectionException} with a 400 Status. */
    public static JsonNode decode(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            JsonNode node = JSON.readTree(p);
            if (node == null || !node.isObject()) {
                throw new InspectionException(Status.badRequest("the request body must be one JSON object"));
            }
            if (p.nextToken() != null) {
                throw new InspectionException(Status.badRequest("the request body holds more than one JSON document"));
            }
            return node;
        } catch (IOException e) {
            throw new InspectionException(Status.badRequest("the request body is not valid JSON: " + firstLine(e.getMessage())));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
