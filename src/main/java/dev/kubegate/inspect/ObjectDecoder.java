package dev.kubegate.inspect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kubegate.k8s.Status;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;

/**
 * Decodes a JSON or YAML request body into the tree policy reads. Hostile bodies are bounded: the
 * caller already capped the size; nesting depth is capped here, YAML aliases (billion laughs) are
 * limited, and a body must be exactly one object.
 */
public final class ObjectDecoder {

    private static final int MAX_DEPTH = 100;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML;

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
        LoaderOptions loader = new LoaderOptions();
        loader.setMaxAliasesForCollections(20);
        loader.setNestingDepthLimit(MAX_DEPTH);
        loader.setAllowDuplicateKeys(false);
        YAML = new YAMLMapper(YAMLFactory.builder().loaderOptions(loader).build());
    }

    private ObjectDecoder() {
    }

    /** The single object in {@code body}, or an {@link InspectionException} with a 400/415 Status. */
    public static JsonNode decode(BodyKind kind, byte[] body) {
        ObjectMapper mapper = switch (kind) {
            case JSON -> JSON;
            case YAML -> YAML;
            default -> throw new IllegalArgumentException(kind + " bodies are resolved by a dry run, not decoded");
        };
        try (JsonParser p = mapper.createParser(body)) {
            JsonNode node = mapper.readTree(p);
            if (node == null || !node.isObject()) {
                throw new InspectionException(Status.badRequest("the request body must be one " + kind + " object"));
            }
            if (p.nextToken() != null) {
                throw new InspectionException(Status.badRequest("the request body holds more than one " + kind + " document"));
            }
            return node;
        } catch (IOException e) {
            throw new InspectionException(Status.badRequest("the request body is not valid " + kind + ": " + firstLine(e.getMessage())));
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
