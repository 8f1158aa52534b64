package dev.kubegate.trail;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ToolCallMarkerTest {

    @Test
    void aGenuineMarkIsReadAndRemoved() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
        ToolCallMarker.mark(h, new ToolCallMarker.Mark("resources_get", "mcp-s", "10.0.0.7"));
        ToolCallMarker.Mark m = ToolCallMarker.take(h);
        assertThat(m).isEqualTo(new ToolCallMarker.Mark("resources_get", "mcp-s", "10.0.0.7"));
        assertThat(h.names()).containsExactly("Accept");
    }

    @Test
    void theCallIdJustificationAndAskFlagTravelAsValidHeaderValues() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        String why = "rotate the leaked key \u00e9\r\nX-Injected: 1";
        ToolCallMarker.mark(h, new ToolCallMarker.Mark("pods_delete", "mcp-s", null, "tc-1", why, true));
        assertThat(h.get(ToolCallMarker.JUSTIFICATION)).matches("[A-Za-z0-9_-]+");
        ToolCallMarker.Mark m = ToolCallMarker.take(h);
        assertThat(m.call()).isEqualTo("tc-1");
        assertThat(m.justification()).isEqualTo("rotate the leaked key \u00e9  X-Injected: 1");
        assertThat(m.askFirst()).isTrue();
        assertThat(h.isEmpty()).isTrue();
        MultiMap longer = MultiMap.caseInsensitiveMultiMap();
        ToolCallMarker.mark(longer, new ToolCallMarker.Mark("t", "s", null, null, "x".repeat(5000), false));
        assertThat(ToolCallMarker.take(longer).justification()).hasSize(ToolCallMarker.MAX_JUSTIFICATION + 1).endsWith("…");
    }

    @Test
    void aForgedOrPartialMarkIsDroppedUnread() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("kubegate-mcp-key", "guess").add("Kubegate-Mcp-Tool", "x")
                .add("KUBEGATE-MCP-SESSION", "s").add("Kubegate-Mcp-Other", "y").add("Accept", "*/*");
        assertThat(ToolCallMarker.take(h)).isNull();
        assertThat(h.names()).containsExactly("Accept");
        MultiMap onlyOther = MultiMap.caseInsensitiveMultiMap().add("Kubegate-Mcp-Anything", "z");
        assertThat(ToolCallMarker.take(onlyOther)).isNull();
        assertThat(onlyOther.isEmpty()).isTrue();
        MultiMap noKey = MultiMap.caseInsensitiveMultiMap().add("Kubegate-Mcp-Tool", "x").add("Kubegate-Mcp-Session", "s");
        assertThat(ToolCallMarker.take(noKey)).isNull();
        MultiMap forgedWhy = MultiMap.caseInsensitiveMultiMap().add("Kubegate-Mcp-Justification", "aGk").add("Kubegate-Mcp-Ask-Justification", "1");
        assertThat(ToolCallMarker.take(forgedWhy)).isNull();
        assertThat(forgedWhy.isEmpty()).isTrue();
    }
}
