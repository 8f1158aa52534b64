package dev.kubegate.upstream;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamHeadersTest {

    private final Impersonation alice = new Impersonation("kubegate:alice", List.of("agents", "ci"),
            Map.of("kubegate.dev/session", List.of("s-1")));

    private static MultiMap hostile() {
        return MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer client-token")
                .add("Impersonate-User", "system:admin")
                .add("impersonate-group", "system:masters")
                .add("Impersonate-Extra-scopes", "x")
                .add("Impersonate-Uid", "0")
                .add("X-Remote-User", "admin")
                .add("X-Remote-Group", "system:masters")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("Connection", "Upgrade")
                .add("Upgrade", "websocket")
                .add("Sec-WebSocket-Protocol", "v5.channel.k8s.io")
                .add("Accept", "application/json")
                .add("Content-Type", "application/yaml");
    }

    @Test
    void clientIdentityHeadersNeverCrossAndTheCallerIsImpersonated() {
        MultiMap out = UpstreamHeaders.forRequest(hostile(), alice, true, false, "192.0.2.7");
        assertThat(out.get("Authorization")).isNull();
        assertThat(out.getAll("Impersonate-User")).containsExactly("kubegate:alice");
        assertThat(out.getAll("Impersonate-Group")).containsExactly("agents", "ci");
        assertThat(out.get("Impersonate-Extra-kubegate.dev%2fsession")).isEqualTo("s-1");
        assertThat(out.get("Impersonate-Extra-scopes")).isNull();
        assertThat(out.get("Impersonate-Uid")).isNull();
        assertThat(out.get("X-Remote-User")).isNull();
        assertThat(out.get("X-Remote-Group")).isNull();
        assertThat(out.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
        assertThat(out.get("Connection")).isNull();
        assertThat(out.get("Upgrade")).isNull();
        assertThat(out.get("Accept")).isEqualTo("application/json");
        assertThat(out.get("Content-Type")).isEqualTo("application/yaml");
    }

    @Test
    void upgradesKeepTheirProtocolHeaders() {
        MultiMap out = UpstreamHeaders.forRequest(hostile(), alice, true, true, null);
        assertThat(out.get("Connection")).isEqualTo("Upgrade");
        assertThat(out.get("Upgrade")).isEqualTo("websocket");
        assertThat(out.get("Sec-WebSocket-Protocol")).isEqualTo("v5.channel.k8s.io");
        assertThat(out.get("Authorization")).isNull();
        assertThat(out.getAll("Impersonate-User")).containsExactly("kubegate:alice");
    }

    @Test
    void impersonationCanBeSwitchedOff() {
        MultiMap out = UpstreamHeaders.forRequest(hostile(), alice, false, false, null);
        assertThat(out.names()).noneMatch(n -> n.toLowerCase().startsWith("impersonate-"));
        assertThat(out.get("Authorization")).isNull();
    }

    @Test
    void responseHopByHopHeadersAreDropped() {
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        UpstreamHeaders.copyResponse(MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json").add("Transfer-Encoding", "chunked")
                .add("Connection", "close").add("Audit-Id", "a1"), to, false);
        assertThat(to.names()).containsExactlyInAnyOrder("Content-Type", "Audit-Id");
    }
}
