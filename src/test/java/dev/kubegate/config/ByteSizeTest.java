package dev.kubegate.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {
    @Test
    void parsesKubernetesQuantities() {
        assertThat(ByteSize.parse("3Mi")).isEqualTo(3 * 1024 * 1024);
        assertThat(ByteSize.parse("512Ki")).isEqualTo(512 * 1024);
        assertThat(ByteSize.parse("2M")).isEqualTo(2_000_000);
        assertThat(ByteSize.parse("1234")).isEqualTo(1234);
        assertThatThrownBy(() -> ByteSize.parse("lots")).hasMessageContaining("3Mi");
    }
}
