package dev.kubegate.identity.mapping;

import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityMappingsTest {

    static final String FILE = """
            mappings:
            - identity: arn:aws:iam::111122223333:role/ci-agent
              name: "ci-{{SessionName}}"
              groups: [agents]
            - identity: "system:serviceaccount:ci:*"
              kind: serviceaccount
              name: "sa-{{Namespace}}-{{ServiceAccount}}"
              groups: [agents, in-cluster]
              identityGroups: true
            - identity: "https://token.actions.githubusercontent.com#repo:acme/deploy:ref:refs/heads/?ain"
              kind: oidc
              name: github-deploy
              groups: [deployers]
            - identity: "arn:aws:iam::111122223333:role/*"
              kind: aws-iam
              name: other-roles
            """;

    static ExternalIdentity aws(String arn, Map<String, String> attrs) {
        return new ExternalIdentity("aws-iam", arn, attrs, List.of());
    }

    @Test
    void firstMatchWinsWithTemplates() {
        IdentityMappings m = IdentityMappings.parse(FILE, "t");
        assertThat(m.map(aws("arn:aws:iam::111122223333:role/ci-agent", Map.of("SessionName", "job-7"))))
                .contains(new IdentityMappings.Mapped("ci-job-7", List.of("agents")));
        assertThat(m.map(aws("arn:aws:iam::111122223333:role/ops", Map.of())))
                .contains(new IdentityMappings.Mapped("other-roles", List.of()));
        assertThat(m.map(aws("arn:aws:iam::444455556666:role/ci-agent", Map.of()))).isEmpty();
    }

    @Test
    void kindsRestrictRulesAndIdentityGroupsAreOptIn() {
        IdentityMappings m = IdentityMappings.parse(FILE, "t");
        ExternalIdentity sa = new ExternalIdentity("serviceaccount", "system:serviceaccount:ci:builder",
                Map.of("Namespace", "ci", "ServiceAccount", "builder"), List.of("readers", "agents"));
        assertThat(m.map(sa)).contains(new IdentityMappings.Mapped("sa-ci-builder",
                List.of("agents", "in-cluster", "readers")));
        // same id, other kind: the serviceaccount rule does not apply
        assertThat(m.map(new ExternalIdentity("oidc", "system:serviceaccount:ci:builder", Map.of(), List.of()))).isEmpty();
    }

    @Test
    void identityGroupsNeverBecomeSystemGroups() {
        IdentityMappings m = IdentityMappings.parse(FILE, "t");
        // What a TokenReview of a service account answers, plus what an edited OIDC claim could say.
        ExternalIdentity sa = new ExternalIdentity("serviceaccount", "system:serviceaccount:ci:builder",
                Map.of("Namespace", "ci", "ServiceAccount", "builder"),
                List.of("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated", "System:Masters",
                        "system:masters", "team-a"));
        assertThat(m.map(sa)).contains(new IdentityMappings.Mapped("sa-ci-builder", List.of("agents", "in-cluster", "team-a")));
    }

    @Test
    void mappingFilesThatGrantSystemGroupsAreRefused() {
        for (String group : List.of("system:masters", "system:nodes", "system:serviceaccounts:kube-system", "SYSTEM:masters")) {
            String file = "mappings:\n- identity: arn:aws:iam::1:role/x\n  name: x\n  groups: [agents, \"" + group + "\"]\n";
            assertThatThrownBy(() -> IdentityMappings.parse(file, "m.yaml"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("m.yaml: mappings[0]: group '" + group + "' is in the API server's reserved 'system:' namespace")
                    .hasMessageContaining("bind the permissions the agent needs to an ordinary group");
        }
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- identity: a\n  name: x\n  groups: [system:masters]\n", "m"))
                .hasMessageContaining("system:masters bypasses all authorization");
        // "system" without the colon is an ordinary name
        assertThat(IdentityMappings.parse("mappings:\n- identity: a\n  name: x\n  groups: [systems-team]\n", "m").rules()).hasSize(1);
    }

    @Test
    void globsAreAnchoredAndLiteralOtherwise() {
        IdentityMappings m = IdentityMappings.parse(FILE, "t");
        assertThat(m.map(new ExternalIdentity("oidc", "https://token.actions.githubusercontent.com#repo:acme/deploy:ref:refs/heads/main",
                Map.of(), List.of()))).map(IdentityMappings.Mapped::name).contains("github-deploy");
        assertThat(m.map(new ExternalIdentity("oidc", "https://token.actions.githubusercontent.com#repo:acme/deploy:ref:refs/heads/main2",
                Map.of(), List.of()))).isEmpty();
        assertThat(m.map(new ExternalIdentity("oidc", "xhttps://token.actions.githubusercontent.com#repo:acme/deploy:ref:refs/heads/main",
                Map.of(), List.of()))).isEmpty();
        assertThat(IdentityMappings.glob("a.b*").matcher("aXb").matches()).isFalse(); // '.' is literal
        assertThat(IdentityMappings.glob("a.b*").matcher("a.b/c:d").matches()).isTrue();
    }

    @Test
    void missingTemplateValuesAndBadNamesAreRefused() {
        IdentityMapper mapper = IdentityMapper.of(IdentityMappings.parse(FILE, "t"));
        assertThatThrownBy(() -> mapper.toPrincipal(aws("arn:aws:iam::111122223333:role/ci-agent", Map.of())))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("{{SessionName}}");
        assertThatThrownBy(() -> mapper.toPrincipal(aws("arn:aws:iam::111122223333:role/ci-agent", Map.of("SessionName", "a b\r\nX-Evil: 1"))))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("not allowed");
    }

    @Test
    void unmappedIdentitiesAreRefusedNamingThem() {
        IdentityMapper mapper = IdentityMapper.of(IdentityMappings.parse(FILE, "t"));
        assertThatThrownBy(() -> mapper.toPrincipal(aws("arn:aws:iam::444455556666:user/eve", Map.of())))
                .isInstanceOf(AuthenticationException.class)
                .hasMessage("the aws-iam identity arn:aws:iam::444455556666:user/eve is not mapped to a kubegate principal "
                        + "(add it to kubegate.identity.mappings)");
        Principal p = mapper.toPrincipal(aws("arn:aws:iam::111122223333:role/ci-agent", Map.of("SessionName", "s")));
        assertThat(p).isEqualTo(new Principal("arn:aws:iam::111122223333:role/ci-agent", "ci-s", "aws-iam", List.of("agents"),
                java.util.Optional.empty()));
    }

    @Test
    void brokenFilesAreRefusedWithTheirPlace() {
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- identity: x\n", "f.yaml"))
                .hasMessageContaining("f.yaml: mappings[0]: 'name'");
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- name: x\n", "f.yaml"))
                .hasMessageContaining("'identity'");
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- identity: x\n  name: y\n  kind: aws\n", "f.yaml"))
                .hasMessageContaining("'kind' must be one of");
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- identity: x\n  name: \"a b\"\n", "f.yaml"))
                .hasMessageContaining("'name' may hold");
        assertThatThrownBy(() -> IdentityMappings.parse("mappings:\n- identity: x\n  name: y\n  grups: [a]\n", "f.yaml"))
                .hasMessageContaining("not a valid mapping file");
        assertThatThrownBy(() -> IdentityMappings.parse("mappings: [", "f.yaml")).hasMessageContaining("not a valid mapping file");
        assertThat(IdentityMappings.parse("", "f").rules()).isEmpty();
    }

    @Test
    void theFileIsReloadedWhenItChangesAndABrokenChangeKeepsThePrevious(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mappings.yaml");
        Files.writeString(f, "mappings:\n- identity: a\n  name: first\n");
        IdentityMapper mapper = IdentityMapper.load(f);
        ExternalIdentity a = new ExternalIdentity("oidc", "a", Map.of(), List.of());
        assertThat(mapper.toPrincipal(a).name()).isEqualTo("first");
        assertThat(mapper.reloadIfChanged()).isFalse();

        Files.writeString(f, "mappings:\n- identity: a\n  name: second\n");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(mapper.reloadIfChanged()).isTrue();
        assertThat(mapper.toPrincipal(a).name()).isEqualTo("second");

        Files.writeString(f, "mappings:\n- identity: a\n");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(mapper.reloadIfChanged()).isFalse();
        assertThat(mapper.toPrincipal(a).name()).isEqualTo("second");
    }
}
