package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArgumentSummaryTest {

    @Test
    void aResourceIsKeptOnlyAsItsSizeAndDigestAndLongValuesAreCut() throws Exception {
        String secret = "apiVersion: v1\nkind: Secret\nstringData: {password: hunter2}\n";
        ObjectNode args = (ObjectNode) JsonRpc.JSON.readTree("{\"resource\":" + JsonRpc.JSON.writeValueAsString(secret)
                + ",\"name\":\"" + "n".repeat(300) + "\",\"scale\":3,\"previous\":true,\"command\":[\"sh\",\"-c\",\"id\"],\"x\":{\"a\":1}}");
        ObjectNode s = ArgumentSummary.of(args);
        assertThat(s.toString()).doesNotContain("hunter2");
        assertThat(s.path("resource").path("bytes").asInt()).isEqualTo(secret.length());
        assertThat(s.path("resource").path("sha256").asText()).hasSize(64);
        assertThat(s.path("name").asText()).hasSize(ArgumentSummary.MAX_TEXT + 1).endsWith("…");
        assertThat(s.path("scale").asInt()).isEqualTo(3);
        assertThat(s.path("previous").asBoolean()).isTrue();
        assertThat(s.path("command").toString()).isEqualTo("[\"sh\",\"-c\",\"id\"]");
        assertThat(s.path("x").asText()).isEqualTo("(object of 1 fields)");
    }

    @Test
    void missingOrNonObjectArgumentsAreSaidSo() throws Exception {
        assertThat(ArgumentSummary.of(null).isEmpty()).isTrue();
        assertThat(ArgumentSummary.of(JsonRpc.JSON.readTree("[1]")).path("(not an object)").asText()).isEqualTo("array");
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 40; i++) many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        assertThat(ArgumentSummary.of(JsonRpc.JSON.readTree(many.append('}').toString())).path("(more)").asText()).isEqualTo("8 more arguments");
    }
}
