package dev.kubegate.mcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestsTest {

    @Test
    void readsEveryDocumentOfYamlOrJson() {
        var docs = Manifests.parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                data: {on: yes, when: 2020-01-01, n: "007"}
                ---
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}
                """, 1 << 20);
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).path("data").path("when").asText()).isEqualTo("2020-01-01");
        assertThat(docs.get(0).path("data").path("n").asText()).isEqualTo("007");
        assertThat(docs.get(1).path("kind").asText()).isEqualTo("Secret");
    }

    @Test
    void refusesAnchorsAliasesAndDuplicateKeys() {
        assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: A\nmetadata: {name: a}\nx: &a [1]\ny: *a\n", 1 << 20))
                .isInstanceOf(ToolError.class).hasMessageContaining("anchors or aliases");
        assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: A\nkind: B\nmetadata: {name: a}\n", 1 << 20))
                .isInstanceOf(ToolError.class).hasMessageContaining("not valid YAML or JSON");
    }

    @Test
    void refusesWhatIsTooLargeNotUnicodeOrNotAnObject() {
        assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: A\nmetadata: {name: " + "a".repeat(200) + "}\n", 100))
                .hasMessageContaining("larger than kubegate accepts (100 bytes");
        assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: A\nmetadata: {name: \ud800}\n", 1 << 20))
                .hasMessageContaining("not valid Unicode");
        assertThatThrownBy(() -> Manifests.parse("- a\n- b\n", 1 << 20)).hasMessageContaining("is not an object");
        assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: A\n", 1 << 20)).hasMessageContaining("metadata.name");
        assertThatThrownBy(() -> Manifests.parse("  ", 1 << 20)).hasMessageContaining("resource is required");
    }
}
