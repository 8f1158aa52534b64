package dev.kubegate.hatches;

import dev.kubegate.identity.TokenFileFixture;
import dev.kubegate.identity.mapping.IdentityMappings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AgentSubjectsTest {

    static final IdentityMappings MAPPINGS = IdentityMappings.parse("""
            mappings:
            - identity: arn:aws:iam::111122223333:role/ci-agent
              name: "ci-{{SessionName}}"
              groups: [agents]
            - identity: "system:serviceaccount:ci:*"
              kind: serviceaccount
              name: builder
              groups: [builders]
              identityGroups: true
            - identity: arn:aws:iam::111122223333:role/other
              name: builder
              groups: [builders]
            """, "m");

    @Test
    void everyMappingRuleAndStaticTokenIsASubjectImpersonatedAsKubegateName() {
        List<AgentSubject> subjects = AgentSubjects.of(Optional.of(MAPPINGS),
                Optional.of(TokenFileFixture.parse("t1,zoe,uid-z,\"ops\"\nt2,alice,uid-a,\"agents\"")), true);
        assertThat(subjects).extracting(AgentSubject::name).containsExactly("ci-{{SessionName}}", "builder", "alice", "zoe");
        assertThat(subjects.get(0).user()).isEqualTo("kubegate:ci-{{SessionName}}");
        assertThat(subjects.get(0).note()).contains("the name is a template");
        // the same name and groups from two rules is one subject; the first rule names its source
        assertThat(subjects.get(1).source()).isEqualTo("mapping system:serviceaccount:ci:*");
        assertThat(subjects.get(1).note()).contains("identityGroups");
        assertThat(subjects.get(2)).isEqualTo(new AgentSubject("alice", List.of("agents"), "static token", "", false));
    }

    @Test
    void withoutImpersonationAgentsAreKubegateItself() {
        List<AgentSubject> subjects = AgentSubjects.of(Optional.of(MAPPINGS), Optional.empty(), false);
        assertThat(subjects).hasSize(1);
        assertThat(subjects.get(0).self()).isTrue();
        assertThat(subjects.get(0).user()).isEmpty();
    }

    @Test
    void nothingConfiguredIsNothingToCheck() {
        assertThat(AgentSubjects.of(Optional.empty(), Optional.empty(), true)).isEmpty();
    }
}
