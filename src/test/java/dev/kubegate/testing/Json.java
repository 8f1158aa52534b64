package dev.kubegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.vertx.core.buffer.Buffer;

/** Jackson helpers shared by the double. Objects are kept as mutable {@link ObjectNode} trees. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static Buffer buffer(JsonNode node) {
        try {
            return Buffer.buffer(MAPPER.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String string(JsonNode node) {
        return buffer(node).toString();
    }

    /** Parses a request body; YAML when the content type says so (YAML is a superset of JSON). */
    static JsonNode parse(Buffer body, String contentType) {
        if (body == null || body.length() == 0) {
            throw ApiError.badRequest("the request body is empty");
        }
        if (Protobuf.isProtobuf(contentType)) {
            return Protobuf.decode(body.getBytes());
        }
        try {
            boolean yaml = contentType != null && contentType.contains("yaml");
            return (yaml ? YAML : MAPPER).readTree(body.getBytes());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest("the body of the request could not be decoded: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode parseObject(Buffer body, String contentType) {
        JsonNode node = parse(body, contentType);
        if (!node.isObject()) {
            throw ApiError.badRequest("the body of the request must be a JSON object");
        }
        return (ObjectNode) node;
    }

    static ObjectNode parseObject(String text) {
        return parseObject(Buffer.buffer(text), text.stripLeading().startsWith("{") ? "application/json" : "yaml");
    }

    /** Text at a dotted path ("metadata.name"), or null. */
    static String text(JsonNode node, String dottedPath) {
        JsonNode n = node;
        for (String part : dottedPath.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }

    static ObjectNode meta(ObjectNode obj) {
        return obj.withObjectProperty("metadata");
    }
}
