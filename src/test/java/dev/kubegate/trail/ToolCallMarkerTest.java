package dev.kubegate.trail;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ToolCallMarkerTest {

    @Test
    void aGenuineMarkIsReadAndRemoved() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
        ToolCallMarker.mark(h, "resources_get", "mcp-s", "10.0.0.7");
        ToolCallMarker.Mark m = ToolCallMarker.take(h);
        assertThat(m).isEqualTo(new ToolCallMarker.Mark("resources_get", "mcp-s", "10.0.0.7"));
        assertThat(h.names()).containsExactly("Accept");
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
    }
}
