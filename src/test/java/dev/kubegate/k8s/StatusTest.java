package dev.kubegate.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void rendersTheApiServersStatusShape() throws Exception {
        JsonNode s = json.readTree(Status.forbidden("User \"kubegate:a\" cannot \"delete\" \"x\"").toJson());
        assertThat(s.get("kind").asText()).isEqualTo("Status");
        assertThat(s.get("apiVersion").asText()).isEqualTo("v1");
        assertThat(s.get("status").asText()).isEqualTo("Failure");
        assertThat(s.get("reason").asText()).isEqualTo("Forbidden");
        assertThat(s.get("code").asInt()).isEqualTo(403);
        assertThat(s.get("message").asText()).isEqualTo("User \"kubegate:a\" cannot \"delete\" \"x\"");
        assertThat(s.get("metadata").isObject()).isTrue();
    }

    @Test
    void causesAndWatchErrorEvents() throws Exception {
        Status st = Status.invalid("bad", List.of(new Status.Cause("FieldValueInvalid", "no", "spec.x")));
        JsonNode s = json.readTree(st.toJson());
        assertThat(s.at("/details/causes/0/field").asText()).isEqualTo("spec.x");
        String event = Status.serviceUnavailable("down").toWatchErrorEvent();
        assertThat(event).endsWith("\n");
        JsonNode e = json.readTree(event);
        assertThat(e.get("type").asText()).isEqualTo("ERROR");
        assertThat(e.at("/object/code").asInt()).isEqualTo(503);
        assertThat(Status.gatewayTimeout("t").reason()).isEqualTo("Timeout");
    }

    @Test
    void detailsNameTheObjectTheStatusIsAbout() throws Exception {
        JsonNode s = json.readTree(Status.forbidden("wait for ap-1").withDetails("ap-1", "approvals").toJson());
        assertThat(s.at("/details/name").asText()).isEqualTo("ap-1");
        assertThat(s.at("/details/kind").asText()).isEqualTo("approvals");
        assertThat(s.get("code").asInt()).isEqualTo(403);
        assertThat(json.readTree(Status.forbidden("x").toJson()).has("details")).isFalse();
    }

    @Test
    void neverSaysNullWhenAMessageOrCauseIsMissing() throws Exception {
        Status missing = Status.internalError(null);
        assertThat(missing.message()).isEqualTo("kubegate refused the call (500 InternalError)");
        assertThat(json.readTree(missing.toJson()).get("message").asText()).doesNotContain("null");
        assertThat(Status.serviceUnavailable(" ").message()).isEqualTo("kubegate refused the call (503 ServiceUnavailable)");
        assertThat(new Status(500, null, "m", null).reason()).isEqualTo("Unknown");
        // An exception without a message is named by its type.
        assertThat(Status.describe(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(Status.describe(new IllegalStateException("store down"))).isEqualTo("store down");
        assertThat(Status.describe(null)).isEqualTo("unknown cause");
        assertThat(Status.quoted(null)).isEqualTo("(none)");
        assertThat(Status.quoted("text/plain")).isEqualTo("\"text/plain\"");
    }

    @Test
    void tooManyRequestsAndServiceUnavailableTellClientsWhenToRetry() throws Exception {
        for (Status st : new Status[]{Status.serviceUnavailable("down"), Status.tooManyRequests("slow down")}) {
            assertThat(st.retryAfterHeader()).isEqualTo("1");
            JsonNode s = json.readTree(st.toJson());
            assertThat(s.at("/details/retryAfterSeconds").asInt()).isEqualTo(Status.DEFAULT_RETRY_AFTER_SECONDS);
            // kept when the status names an object
            assertThat(json.readTree(st.withDetails("ap-1", "approvals").toJson()).at("/details/retryAfterSeconds").asInt()).isEqualTo(1);
        }
        assertThat(Status.serviceUnavailable("x").withRetryAfter(5).retryAfterHeader()).isEqualTo("5");
        assertThat(json.readTree(Status.serviceUnavailable("x").withRetryAfter(0).toJson()).has("details")).isFalse();
        for (Status st : new Status[]{Status.forbidden("no"), Status.internalError("bug"), Status.gatewayTimeout("t")}) {
            assertThat(st.retryAfterHeader()).isNull();
            assertThat(json.readTree(st.toJson()).has("details")).isFalse();
        }
    }
}
