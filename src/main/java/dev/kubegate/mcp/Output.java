package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What tools print: compact kubectl-like tables for lists, YAML for objects (without
 * {@code managedFields}). Values are printed as the gateway answered them: masked values appear as
 * the masking placeholder. Output longer than {@code kubegate.mcp.max-output} is cut, and says so.
 */
final class Output {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private final long maxChars;

    Output(long maxChars) {
        this.maxChars = maxChars;
    }

    /** {@code o} as YAML; {@code o} is the caller's own parse of an answer, so it is stripped in place (no copy). */
    String yaml(JsonNode o) {
        strip(o);
        for (JsonNode item : o.path("items")) {
            strip(item);
        }
        try {
            return cut(YAML.writeValueAsString(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ToolError("kubegate could not print the object: " + e.getOriginalMessage());
        }
    }

    private static void strip(JsonNode o) {
        if (o.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
    }

    /** A list as a table; {@code withNamespace} adds the NAMESPACE column (lists across namespaces). */
    String table(JsonNode list, boolean withNamespace, Instant now) {
        String kind = list.path("kind").asText("");
        kind = kind.endsWith("List") ? kind.substring(0, kind.length() - 4) : kind;
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        if (withNamespace) header.add("NAMESPACE");
        switch (kind) {
            case "Pod" -> header.addAll(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"));
            case "Event" -> header.addAll(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"));
            case "Deployment", "StatefulSet", "ReplicaSet" -> header.addAll(List.of("NAME", "READY", "AGE"));
            default -> header.addAll(List.of("NAME", "AGE"));
        }
        rows.add(header.toArray(String[]::new));
        for (JsonNode item : list.path("items")) {
            List<String> row = new ArrayList<>();
            JsonNode meta = item.path("metadata");
            if (withNamespace) row.add(meta.path("namespace").asText(""));
            String age = age(meta.path("creationTimestamp").asText(null), now);
            switch (kind) {
                case "Pod" -> {
                    JsonNode statuses = item.path("status").path("containerStatuses");
                    int ready = 0, restarts = 0;
                    for (JsonNode c : statuses) {
                        if (c.path("ready").asBoolean()) ready++;
                        restarts += c.path("restartCount").asInt();
                    }
                    int total = item.path("spec").path("containers").size();
                    row.addAll(List.of(meta.path("name").asText(), ready + "/" + total,
                            item.path("status").path("phase").asText("Unknown"), Integer.toString(restarts), age));
                }
                case "Event" -> {
                    String last = item.path("lastTimestamp").asText(item.path("eventTime").asText(null));
                    JsonNode obj = item.path("involvedObject");
                    row.addAll(List.of(age(last, now), item.path("type").asText(""), item.path("reason").asText(""),
                            obj.path("kind").asText("").toLowerCase(java.util.Locale.ROOT) + "/" + obj.path("name").asText(""),
                            item.path("message").asText("").replace('\n', ' ')));
                }
                case "Deployment", "StatefulSet", "ReplicaSet" -> row.addAll(List.of(meta.path("name").asText(),
                        item.path("status").path("readyReplicas").asInt() + "/" + item.path("spec").path("replicas").asInt(), age));
                default -> row.addAll(List.of(meta.path("name").asText(), age));
            }
            rows.add(row.toArray(String[]::new));
        }
        if (rows.size() == 1) {
            return "No resources found.";
        }
        return cut(align(rows));
    }

    private static String align(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length - 1; i++) width[i] = Math.max(width[i], r[i].length());
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(r[i]);
                if (i < r.length - 1) out.append(" ".repeat(width[i] - r[i].length() + 3));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String age(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        Duration d;
        try {
            d = Duration.between(Instant.parse(timestamp), now);
        } catch (java.time.format.DateTimeParseException e) {
            return "<unknown>";
        }
        long s = Math.max(0, d.getSeconds());
        if (s < 120) return s + "s";
        if (s < 7200) return s / 60 + "m";
        if (s < 172800) return s / 3600 + "h";
        return s / 86400 + "d";
    }

    String cut(String text) {
        if (text.length() <= maxChars) {
            return text;
        }
        return text.substring(0, (int) maxChars) + "\n... (output cut at " + maxChars + " characters, kubegate.mcp.max-output)";
    }
}
