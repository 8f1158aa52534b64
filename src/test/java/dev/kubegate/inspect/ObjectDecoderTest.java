package dev.kubegate.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectDecoderTest {

    private static JsonNode decode(String body) {
        return ObjectDecoder.decode(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(String body, String why) {
        assertThatThrownBy(() -> decode(body)).isInstanceOf(InspectionException.class)
                .satisfies(e -> assertThat(((InspectionException) e).status().code()).isEqualTo(400))
                .hasMessageContaining(why);
    }

    @Test
    void decodesJsonObjects() {
        assertThat(decode("{\"kind\":\"Pod\",\"spec\":{\"hostPID\":true}}").at("/spec/hostPID").asBoolean()).isTrue();
        assertThat(decode("{\"metadata\":{\"name\":\"caf\\u00e9\"}}").at("/metadata/name").asText()).isEqualTo("café");
    }

    @Test
    void refusesWhatTheApiServerCouldReadDifferently() {
        // Duplicate keys: a policy could see the first value while the API server keeps the last.
        refused("{\"spec\":{\"hostNetwork\":false,\"hostNetwork\":true}}", "not valid JSON");
        refused("{\"a\":1} {\"b\":2}", "more than one");
        refused("[1,2]", "one JSON object");
        refused("{\"kind\":", "not valid JSON");
        refused("", "one JSON object");
        refused("{\"a\":".repeat(5000) + "1" + "}".repeat(5000), "not valid JSON");
    }

    @Test
    void mediaTypes() {
        assertThat(BodyKind.of("application/json; charset=utf-8")).isEqualTo(BodyKind.JSON);
        assertThat(BodyKind.of("application/yaml")).isEqualTo(BodyKind.YAML);
        assertThat(BodyKind.of("application/apply-patch+yaml")).isEqualTo(BodyKind.PATCH);
        assertThat(BodyKind.of("application/strategic-merge-patch+json")).isEqualTo(BodyKind.PATCH);
        assertThat(BodyKind.of("application/merge-patch+json")).isEqualTo(BodyKind.PATCH);
        assertThat(BodyKind.of("application/json-patch+json")).isEqualTo(BodyKind.PATCH);
        assertThat(BodyKind.of("Application/VND.kubernetes.protobuf")).isEqualTo(BodyKind.PROTOBUF);
        assertThat(BodyKind.of("text/plain")).isEqualTo(BodyKind.UNSUPPORTED);
        assertThat(BodyKind.of(null)).isEqualTo(BodyKind.UNSUPPORTED);
        assertThat(BodyKind.PATCH.needsDryRun()).isTrue();
        assertThat(BodyKind.YAML.needsDryRun()).isTrue(); // YAML readers disagree (aliases): the API server decides
        assertThat(BodyKind.JSON.needsDryRun()).isFalse();
    }

    @Test
    void dryRunIsAddedOnce() {
        assertThat(DryRun.withDryRun("/api/v1/namespaces/a/pods")).isEqualTo("/api/v1/namespaces/a/pods?dryRun=All");
        assertThat(DryRun.withDryRun("/api/v1/namespaces/a/pods?fieldManager=kubectl")).isEqualTo("/api/v1/namespaces/a/pods?fieldManager=kubectl&dryRun=All");
        assertThat(DryRun.withDryRun("/api/v1/namespaces/a/pods?dryRun=All")).isEqualTo("/api/v1/namespaces/a/pods?dryRun=All");
    }
}
