package dev.kubegate.approval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApproverTest {

    static ApprovalRequest.Requester requester(String name, String id) {
        return new ApprovalRequest.Requester(name, id, "oidc", List.of(), null, Map.of(), "");
    }

    @Test
    void theSamePersonByNameOrByAVerifiedIdentity() {
        Approver ana = new Approver("ana", List.of("kubegate-approvers"), "oidc",
                List.of("https://id.example/realms/corp#5f1e", "https://id.example/realms/corp#ana"));
        assertThat(ana.is(requester("ana", "static:ana"))).isTrue();
        // An agent that authenticated with Ana's OIDC identity and was mapped to another name is still Ana.
        assertThat(ana.is(requester("ci-bot", "https://id.example/realms/corp#ana"))).isTrue();
        assertThat(ana.is(requester("ci-bot", "https://other.example#ana"))).isFalse();
        assertThat(ana.is(requester("bob", null))).isFalse();
        assertThat(new Approver("bob", List.of(), "admin-tokens").identities()).isEmpty();
    }
}
