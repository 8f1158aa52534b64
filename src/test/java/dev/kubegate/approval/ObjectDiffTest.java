package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectDiffTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode role(int harmless, boolean wildcardLast) {
        ObjectNode r = JSON.createObjectNode().put("kind", "ClusterRole");
        r.putObject("metadata").put("name", "r");
        ArrayNode rules = r.putArray("rules");
        for (int i = 0; i < harmless; i++) {
            ObjectNode rule = rules.addObject();
            rule.putArray("apiGroups").add("example.com");
            rule.putArray("resources").add("things" + i);
            rule.putArray("verbs").add("get");
        }
        if (wildcardLast) {
            ObjectNode rule = rules.addObject();
            rule.putArray("apiGroups").add("*");
            rule.putArray("resources").add("*");
            rule.putArray("verbs").add("*");
        }
        return r;
    }

    @Test
    void aRuleAppendedToALongListIsItsOwnEntryNotAHiddenTail() {
        List<ObjectDiff.Entry> d = ObjectDiff.between(role(150, false), role(150, true));
        assertThat(d).containsExactly(new ObjectDiff.Entry("add", "/rules/150", null,
                "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}"));
    }

    @Test
    void everyCutIsMarkedAndTheFullDiffHasItAll() {
        ObjectNode before = JSON.createObjectNode().put("kind", "ClusterRole");
        ObjectNode meta = before.putObject("metadata").put("name", "r");
        meta.putObject("annotations");
        ObjectNode after = role(0, true);
        ObjectNode annotations = ((ObjectNode) after.get("metadata")).putObject("annotations");
        for (int i = 0; i < 137; i++) annotations.put("a" + String.format("%03d", i), "v");
        annotations.put("big", "x".repeat(1000));
        List<ObjectDiff.Entry> full = ObjectDiff.full(before, after);
        assertThat(full).hasSize(139); // 138 annotations + the rules
        assertThat(full.get(full.size() - 1).path()).isEqualTo("/rules");
        List<ObjectDiff.Entry> shown = ObjectDiff.shown(full);
        assertThat(shown).hasSize(ObjectDiff.MAX_ENTRIES + 1);
        assertThat(shown.get(ObjectDiff.MAX_ENTRIES)).isEqualTo(new ObjectDiff.Entry(ObjectDiff.MORE, "", null, "… 39 more changes not shown"));
        assertThat(ObjectDiff.truncated(shown)).isTrue();
        // The 1000-character value: whole in the full diff, cut with a mark in the bounded view.
        ObjectDiff.Entry big = full.stream().filter(e -> e.path().equals("/metadata/annotations/big")).findFirst().orElseThrow();
        assertThat(big.value()).hasSize(1002);
        String cut = ObjectDiff.cut(big.value(), ObjectDiff.MAX_VALUE);
        assertThat(cut).endsWith("… (702 more characters)").startsWith("\"xxx");
        // A short list with one long value is still marked as cut.
        JsonNode small = JSON.createObjectNode().put("kind", "ConfigMap").set("data", JSON.createObjectNode().put("k", "y".repeat(400)));
        List<ObjectDiff.Entry> one = ObjectDiff.between(JSON.createObjectNode().put("kind", "ConfigMap"), small);
        assertThat(one).hasSize(1);
        assertThat(one.get(0).value()).endsWith("… (108 more characters)");
        assertThat(ObjectDiff.truncated(one)).isTrue();
        assertThat(ObjectDiff.truncated(ObjectDiff.between(role(2, false), role(2, true)))).isFalse();
    }
}
