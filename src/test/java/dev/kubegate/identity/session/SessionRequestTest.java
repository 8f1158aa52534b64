package dev.kubegate.identity.session;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionRequestTest {

    static SessionRequest parse(String json) {
        return SessionRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static void refused(String json, int code, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(SessionException.class)
                .satisfies(e -> assertThat(((SessionException) e).status().code()).isEqualTo(code))
                .hasMessageContaining(message);
    }

    @Test
    void acceptsTheDocumentedFields() {
        SessionRequest r = parse("{\"ttl\":\"1h30m\",\"labels\":{\"task\":\"JIRA-1\",\"example.com/team\":\"sre\"},\"justification\":\"fix\"}");
        assertThat(r.ttl()).contains(Duration.ofMinutes(90));
        assertThat(r.labels()).containsEntry("task", "JIRA-1").containsEntry("example.com/team", "sre");
        assertThat(r.justification()).isEqualTo("fix");
        assertThat(SessionRequest.parse(new byte[0])).isEqualTo(SessionRequest.EMPTY);
        assertThat(parse("{}")).isEqualTo(SessionRequest.EMPTY);
    }

    @Test
    void refusesHostileInput() {
        refused("[1]", 400, "JSON object");
        refused("{\"ttl\":15}", 400, "ttl must be a string");
        refused("{\"ttl\":\"forever\"}", 400, "not a duration");
        refused("{\"ttl\":\"0s\"}", 400, "at least 1s");
        refused("{\"ttl\":\"15m\"}{}", 400, "trailing");
        refused("{\"admin\":true}", 400, "unknown field");
        refused("{\"labels\":{\"bad key\":\"v\"}}", 400, "not a valid label key");
        refused("{\"labels\":{\"k\":\"" + "v".repeat(300) + "\"}}", 400, "at most 256");
        refused("{\"labels\":{\"k\":\"a\\nb\"}}", 400, "printable");
        refused("{\"labels\":{\"k\":1}}", 400, "must be a string");
        refused("{\"labels\":{\"implicit\":\"true\"}}", 400, "reserved");
        StringBuilder many = new StringBuilder("{\"labels\":{");
        for (int i = 0; i < 17; i++) many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        refused(many.append("}}").toString(), 400, "at most 16 labels");
        refused("{\"justification\":\"" + "x".repeat(1100) + "\"}", 400, "longer than");
        refused("{\"justification\":\"" + "x".repeat(9000) + "\"}", 413, "larger than");
        refused("{\"ttl\":", 400, "not valid JSON");
    }
}
