package dev.kubegate.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TracingSwitchTest {

    /** Config as Quarkus builds it: the extension's defaults, then application properties (ordinal 250). */
    static boolean sdkDisabled(Map<String, String> properties) {
        return config(properties).getValue("quarkus.otel.sdk.disabled", Boolean.class);
    }

    static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withDefaultValue("quarkus.otel.sdk.disabled", "false")
                .withDefaultValue("quarkus.otel.exporter.otlp.endpoint", "http://localhost:4317/")
                .withDefaultValue("quarkus.otel.exporter.otlp.traces.endpoint", "http://localhost:4317/")
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withInterceptors(new TracingSwitch())
                .build();
    }

    @Test
    void offWithoutAnEndpoint() {
        assertThat(sdkDisabled(Map.of())).isTrue();
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", ""))).isTrue();
    }

    @Test
    void onWithAnyEndpoint() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))).isFalse();
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4317"))).isFalse();
        assertThat(sdkDisabled(Map.of("otel.exporter.otlp.endpoint", "http://collector:4317"))).isFalse();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(sdkDisabled(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317",
                "quarkus.otel.sdk.disabled", "true"))).isTrue();
        assertThat(sdkDisabled(Map.of("quarkus.otel.sdk.disabled", "false"))).isFalse();
    }

    @Test
    void theSwitchIsAmongThePropertyNamesQuarkusHandsToTheSdk() {
        assertThat(config(Map.of()).getPropertyNames()).contains("quarkus.otel.sdk.disabled");
    }
}
