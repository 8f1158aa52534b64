package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code resource} argument of resources_create_or_update: YAML or JSON, one or more documents,
 * read strictly before anything is sent. Refused with a tool error: text larger than the request
 * limit, text that is not valid Unicode (a lone surrogate cannot become UTF-8), anchors and aliases
 * (the "billion laughs" bomb and any other expansion the API server's reader might not share),
 * duplicate keys, a document that is not an object with apiVersion, kind and metadata.name. What is
 * sent is the JSON kubegate read, so the object judged by policy is the object kubegate parsed.
 * CPU-bound: call from a worker thread.
 */
final class Manifests {

    static final int MAX_DOCUMENTS = 50;

    private Manifests() {
    }

    static List<ObjectNode> parse(String text, long maxBytes) {
        if (text == null || text.isBlank()) {
            throw new ToolError("resource is required: the YAML or JSON of the object(s) to create or update");
        }
        if (text.length() > maxBytes || utf8Length(text) > maxBytes) {
            throw new ToolError("resource is larger than kubegate accepts (" + maxBytes + " bytes, kubegate.limits.max-request-body)");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxBytes + 1));
        try {
            for (Event e : new Yaml(options).parse(new StringReader(text))) {
                if (e instanceof AliasEvent || e instanceof NodeEvent n && n.getAnchor() != null) {
                    throw new ToolError("resource uses YAML anchors or aliases (line " + (e.getStartMark().getLine() + 1)
                            + "); kubegate refuses them (they can expand without bound); write the values out");
                }
            }
            List<ObjectNode> docs = new ArrayList<>();
            YAMLMapper yaml = new YAMLMapper(YAMLFactory.builder().loaderOptions(options).build());
            try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(text)) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc == null || doc.isNull() || doc.isMissingNode()) {
                        continue;
                    }
                    if (!(doc instanceof ObjectNode o)) {
                        throw new ToolError("resource document " + (docs.size() + 1) + " is not an object");
                    }
                    check(o, docs.size() + 1);
                    docs.add(o);
                    if (docs.size() > MAX_DOCUMENTS) {
                        throw new ToolError("resource has more than " + MAX_DOCUMENTS + " documents");
                    }
                }
            }
            if (docs.isEmpty()) {
                throw new ToolError("resource holds no object");
            }
            return docs;
        } catch (ToolError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ToolError("resource is not valid YAML or JSON: " + firstLine(e.getMessage()));
        }
    }

    private static void check(ObjectNode o, int n) {
        for (String field : new String[]{"apiVersion", "kind"}) {
            if (!o.path(field).isTextual() || o.path(field).asText().isBlank()) {
                throw new ToolError("resource document " + n + " has no " + field);
            }
        }
        if (!o.path("metadata").path("name").isTextual()) {
            throw new ToolError("resource document " + n + " has no metadata.name (generateName is not supported by server-side apply)");
        }
    }

    /** UTF-8 length; a lone surrogate (text that was not valid UTF-8 or UTF-16) is refused. */
    static long utf8Length(String s) {
        var encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try {
            return encoder.encode(java.nio.CharBuffer.wrap(s)).remaining();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ToolError("resource is not valid Unicode text (it holds a lone surrogate, as text that was not UTF-8 may)");
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
