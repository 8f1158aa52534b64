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
        assertThat(BodyKind.of("POST", "application/json; charset=utf-8")).contains(BodyKind.JSON);
        assertThat(BodyKind.of("POST", null)).contains(BodyKind.JSON); // no Content-Type: the API server reads JSON
        assertThat(BodyKind.of("PUT", "application/yaml")).contains(BodyKind.YAML);
        assertThat(BodyKind.of("PATCH", "application/apply-patch+yaml")).contains(BodyKind.PATCH);
        assertThat(BodyKind.of("PATCH", "application/strategic-merge-patch+json")).contains(BodyKind.PATCH);
        assertThat(BodyKind.of("PATCH", "application/merge-patch+json")).contains(BodyKind.PATCH);
        assertThat(BodyKind.of("PATCH", "application/json-patch+json")).contains(BodyKind.PATCH);
        assertThat(BodyKind.of("POST", "Application/VND.kubernetes.protobuf")).contains(BodyKind.PROTOBUF);
        assertThat(BodyKind.of("POST", "text/plain")).isEmpty();
        assertThat(BodyKind.of("PATCH", null)).isEmpty(); // the API server answers 415
        assertThat(BodyKind.of("POST", "application/merge-patch+json")).isEmpty();
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
