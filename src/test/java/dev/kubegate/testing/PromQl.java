package dev.kubegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL expressions kubegate ships — the Grafana dashboard (k8s/grafana) and the chart's
 * PrometheusRule (k8s/helm/kubegate values.yaml) — and the kubegate metric names they read, so tests
 * can check each against what a gateway really exposes.
 */
public final class PromQl {

    public static final Path DASHBOARD = Path.of("k8s/grafana/kubegate-dashboard.json");
    public static final Path CHART_VALUES = Path.of("k8s/helm/kubegate/values.yaml");
    private static final Pattern KUBEGATE_METRIC = Pattern.compile("\\bkubegate_[a-z_]+\\b");

    private PromQl() {
    }

    /** Every {@code expr} of the dashboard's panels and the queries of its variables, by panel title. */
    public static Map<String, String> dashboardExpressions(Path dashboard) throws IOException {
        JsonNode d = new ObjectMapper().readTree(Files.readString(dashboard));
        Map<String, String> out = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        d.path("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            JsonNode p = panels.get(i);
            p.path("panels").forEach(panels::add); // collapsed rows hold their panels
            for (JsonNode t : p.path("targets")) {
                out.put(p.path("title").asText() + " [" + t.path("refId").asText() + "]", t.path("expr").asText());
            }
        }
        for (JsonNode v : d.at("/templating/list")) {
            String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
            if ("query".equals(v.path("type").asText())) out.put("variable " + v.path("name").asText(), q);
        }
        return out;
    }

    /** The alert expressions of the chart's default values ({@code metrics.prometheusRule.rules.*.expr}), by rule. */
    public static Map<String, String> ruleExpressions(Path values) throws IOException {
        JsonNode v = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(values));
        Map<String, String> out = new LinkedHashMap<>();
        v.at("/metrics/prometheusRule/rules").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("expr").asText()));
        return out;
    }

    /** The kubegate metric names (series names: {@code _bucket}, {@code _count}, {@code _total} included) an expression reads. */
    public static Set<String> kubegateMetrics(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = KUBEGATE_METRIC.matcher(expr);
        while (m.find()) names.add(m.group());
        return names;
    }

    public static Set<String> kubegateMetrics(Map<String, String> expressions) {
        Set<String> names = new TreeSet<>();
        expressions.values().forEach(e -> names.addAll(kubegateMetrics(e)));
        return names;
    }

    /** Series names in a Prometheus text exposition (what {@code /q/metrics} answers). */
    public static Set<String> exposedSeries(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int end = 0;
            while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_' || line.charAt(end) == ':')) end++;
            names.add(line.substring(0, end));
        }
        return names;
    }
}
