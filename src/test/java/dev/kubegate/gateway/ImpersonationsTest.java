package dev.kubegate.gateway;

import dev.kubegate.identity.Principal;
import dev.kubegate.upstream.Impersonation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ImpersonationsTest {

    @Test
    void theAgentIsImpersonatedAsKubegateNameWithItsGroupsAndSession() {
        Principal alice = new Principal("arn:aws:iam::1:role/ci", "alice", "aws-iam", List.of("agents", "ci"),
                Optional.of(new Principal.Session("s-1", Map.of(), Instant.EPOCH)));
        assertThat(Impersonations.of(alice)).isEqualTo(new Impersonation("kubegate:alice", List.of("agents", "ci"),
                Map.of("kubegate.dev/session", List.of("s-1"))));
    }

    @Test
    void withoutASessionThereIsNoExtra() {
        Principal bob = new Principal("uid-7", "bob", "static", List.of(), Optional.empty());
        assertThat(Impersonations.of(bob).extra()).isEmpty();
        assertThat(Impersonations.of(bob).user()).isEqualTo("kubegate:bob");
    }
}
