package dev.kubegate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.PrintStream;

/**
 * {@code -o json|yaml|table}, as kubectl spells it, for every command that prints what the API
 * answered. The constants are lower case: they are the values users type and shell completion offers.
 */
public enum OutputFormat {
    table, json, yaml;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** Prints {@code value} as JSON or YAML; for {@link #table} runs {@code table} instead. */
    void print(PrintStream out, Object value, Runnable table) throws JsonProcessingException {
        switch (this) {
            case json -> out.println(JSON.writeValueAsString(value));
            case yaml -> out.print(YAML.writeValueAsString(value));
            case table -> table.run();
        }
    }

    /** Text of {@code node} in this format (JSON for {@link #table}: a document has no table form). */
    String render(JsonNode node) throws JsonProcessingException {
        return this == yaml ? YAML.writeValueAsString(node) : JSON.writeValueAsString(node) + "\n";
    }
}
