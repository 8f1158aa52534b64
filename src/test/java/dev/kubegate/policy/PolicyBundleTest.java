package dev.kubegate.policy;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyBundleTest {

    @Test
    void builtInBundleHasTheModuleAndTheDefaultData() throws IOException {
        PolicyBundle b = PolicyBundle.builtIn();
        assertThat(b.wasm()).startsWith(0, 'a', 's', 'm');
        assertThat(b.data().at("/kubegate/protectedNamespaces").toString()).isEqualTo("[\"kube-system\",\"kube-public\"]");
        assertThat(b.data().at("/kubegate/ownNamespace").asText()).isEqualTo("kubegate");
        assertThat(b.revision()).matches("[0-9a-f]{12}");
    }

    @Test
    void bareModuleHasNoData() throws IOException {
        PolicyBundle b = PolicyBundle.parse(PolicyBundle.builtIn().wasm(), "policy.wasm");
        assertThat(b.data().isEmpty()).isTrue();
    }

    @Test
    void refusesWhatIsNotABundle() {
        assertThatThrownBy(() -> PolicyBundle.parse("{}".getBytes(), "x.json")).hasMessageContaining("neither a bundle");
        assertThatThrownBy(() -> PolicyBundle.parse(new byte[] {0x1f, (byte) 0x8b}, "x.tar.gz")).isInstanceOf(IOException.class);
    }

    @Test
    void mergeIsDeepForObjectsOnly() throws IOException {
        var into = (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.json("{\"a\": {\"b\": 1, \"c\": [1, 2]}, \"d\": 1}");
        PolicyBundle.merge(into, (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.json("{\"a\": {\"c\": [3]}, \"e\": 2}"));
        assertThat(into.toString()).isEqualTo("{\"a\":{\"b\":1,\"c\":[3]},\"d\":1,\"e\":2}");
    }
}
