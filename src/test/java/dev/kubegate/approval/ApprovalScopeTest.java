package dev.kubegate.approval;

import dev.kubegate.identity.Principal;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApprovalScopeTest {

    static Principal agent(Optional<Principal.Session> session) {
        return new Principal("static:ci", "ci", "static", List.of("agents"), session);
    }

    @Test
    void aLoggedInSessionScopesItsGrants() {
        Principal p = agent(Optional.of(new Principal.Session("s-1", Map.of("task", "rollout"), Instant.EPOCH)));
        assertThat(ApprovalGate.scope(p)).isEqualTo("session:s-1");
    }

    @Test
    void anImplicitSessionScopesByIdentitySoTheNextWindowKeepsTheGrant() {
        Principal thisWindow = agent(Optional.of(new Principal.Session("w-1", Map.of("implicit", "true"), Instant.EPOCH)));
        Principal nextWindow = agent(Optional.of(new Principal.Session("w-2", Map.of("implicit", "true"), Instant.EPOCH)));
        assertThat(ApprovalGate.scope(thisWindow)).isEqualTo("principal:static:ci").isEqualTo(ApprovalGate.scope(nextWindow));
    }

    @Test
    void noSessionScopesByIdentity() {
        assertThat(ApprovalGate.scope(agent(Optional.empty()))).isEqualTo("principal:static:ci");
    }
}
