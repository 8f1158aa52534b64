package dev.kubegate.hatches;

import dev.kubegate.hatches.HatchChecks.Severity;
import dev.kubegate.hatches.HatchReport.Finding;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HatchReportTest {

    static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");
    static final List<AgentSubject> SUBJECTS = List.of(
            new AgentSubject("alice", List.of("agents"), "static token", "", false),
            new AgentSubject("ci-{{SessionName}}", List.of(), "mapping arn:x", "the name is a template", false));

    static HatchReport report() {
        return new HatchReport(SUBJECTS, List.of(
                new Finding("alice", "secrets-read", Severity.INFO, "*", "get secrets, list secrets"),
                new Finding("alice", "serviceaccount-token", Severity.HATCH, "prod", "create serviceaccounts/token"),
                new Finding("alice", "impersonate", Severity.HATCH, "", "impersonate users"),
                new Finding("ci-{{SessionName}}", "impersonate", Severity.HATCH, "", "impersonate groups")),
                List.of(), AT);
    }

    @Test
    void findingsAreSortedHatchesFirstAndCountedPerPrincipalAndKind() {
        HatchReport r = report();
        assertThat(r.findings()).extracting(Finding::kind)
                .containsExactly("impersonate", "serviceaccount-token", "secrets-read", "impersonate");
        assertThat(r.hatches()).hasSize(3);
        assertThat(r.hatchCounts()).containsExactly(
                Map.entry(List.of("alice", "impersonate"), 1),
                Map.entry(List.of("alice", "serviceaccount-token"), 1),
                Map.entry(List.of("ci-{{SessionName}}", "impersonate"), 1));
        assertThat(r.forPrincipal("ci-{{SessionName}}").findings()).hasSize(1);
    }

    @Test
    void theTableShowsEveryFindingWithScopeAndNotes() {
        String text = report().toText();
        assertThat(text.lines().findFirst().orElseThrow()).startsWith("PRINCIPAL").contains("SEVERITY", "KIND", "NAMESPACE", "WHAT");
        assertThat(text).containsPattern("alice +hatch +impersonate +\\(cluster\\) +impersonate users")
                .containsPattern("alice +hatch +serviceaccount-token +prod +create serviceaccounts/token")
                .containsPattern("alice +info +secrets-read +\\(all\\) +get secrets, list secrets")
                .contains("3 escape hatches, 1 informational findings, for 2 agent identities.")
                .contains("note: ci-{{SessionName}} (mapping arn:x): the name is a template");
    }

    @Test
    void anEmptyReportSaysSoAndErrorsAreListed() {
        HatchReport none = new HatchReport(SUBJECTS, List.of(), List.of("listing namespaces: the API server answered 403: no"), AT);
        assertThat(none.toText()).startsWith("No escape hatches found for 2 agent identities.")
                .contains("error: listing namespaces: the API server answered 403: no");
        assertThat(new HatchReport(List.of(), List.of(), List.of(), AT).toText()).startsWith("No agent identities are configured");
    }

    @Test
    void theJsonFormHasPrincipalsFindingsAndTheCount() {
        Map<String, Object> json = report().toJson();
        assertThat(json).containsEntry("hatches", 3).containsEntry("checkedAt", "2026-12-03T10:00:00Z");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> findings = (List<Map<String, Object>>) json.get("findings");
        assertThat(findings.get(0)).containsEntry("principal", "alice").containsEntry("severity", "hatch")
                .containsEntry("kind", "impersonate").containsEntry("namespace", "").containsEntry("detail", "impersonate users");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> principals = (List<Map<String, Object>>) json.get("principals");
        assertThat(principals.get(0)).containsEntry("user", "kubegate:alice").containsEntry("groups", List.of("agents"));
    }
}
