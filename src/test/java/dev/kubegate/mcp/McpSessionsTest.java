package dev.kubegate.mcp;

import dev.kubegate.identity.Principal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class McpSessionsTest {

    static final Principal ALICE = new Principal("alice-uid", "alice", "static", List.of("agents"), Optional.empty());
    static final Principal BOB = new Principal("bob-uid", "bob", "static", List.of("agents"), Optional.empty());

    @Test
    void aSessionBelongsToThePrincipalThatOpenedItOnly() {
        String id = McpSessions.open(ALICE);
        assertThat(id).startsWith("mcp-");
        assertThat(McpSessions.belongsTo(id, ALICE)).isTrue();
        assertThat(McpSessions.belongsTo(id, BOB)).isFalse();
        assertThat(McpSessions.open(ALICE)).isNotEqualTo(id);
        // the same id under another kind of identity is not the same principal
        assertThat(McpSessions.belongsTo(id, new Principal("alice-uid", "alice", "oidc", List.of(), Optional.empty()))).isFalse();
        // tampering with either half, or any other shape, is unknown
        assertThat(McpSessions.belongsTo(id.substring(0, id.length() - 1) + (id.endsWith("A") ? "B" : "A"), ALICE)).isFalse();
        assertThat(McpSessions.belongsTo("mcp-x.y", ALICE)).isFalse();
        assertThat(McpSessions.belongsTo(null, ALICE)).isFalse();
        assertThat(McpSessions.elicits(id)).isFalse();
    }

    @Test
    void theElicitationCapabilityRidesUnderTheBinding() {
        String id = McpSessions.open(ALICE, true);
        assertThat(McpSessions.belongsTo(id, ALICE)).isTrue();
        assertThat(McpSessions.elicits(id)).isTrue();
        assertThat(McpSessions.belongsTo(id, BOB)).isFalse();
        // adding or removing the flag breaks the binding
        String plain = McpSessions.open(ALICE, false);
        int dot = plain.lastIndexOf('.');
        assertThat(McpSessions.belongsTo(plain.substring(0, dot) + ".e" + plain.substring(dot), ALICE)).isFalse();
        assertThat(McpSessions.belongsTo(id.replace(".e.", "."), ALICE)).isFalse();
    }
}
