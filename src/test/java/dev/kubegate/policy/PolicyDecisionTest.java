package dev.kubegate.policy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyDecisionTest {

    static PolicyDecision parse(String json) {
        return PolicyDecision.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesTheContractDocument() {
        PolicyDecision d = parse("""
                [{"result": {"allow": false, "reasons": ["r1"],
                  "approval": {"required": true, "reason": "why", "approverGroups": ["sre"], "ttl": "1h30m"},
                  "mask": {"secrets": true, "keyPatterns": ["(?i)pass"], "logPatterns": ["(?<secret>x+)"]},
                  "audit": {"level": "RequestResponse"}}}]""");
        assertThat(d.allow()).isFalse();
        assertThat(d.reasons()).containsExactly("r1");
        assertThat(d.approval()).isEqualTo(new PolicyDecision.Approval(true, "why", java.util.List.of("sre"), Duration.ofMinutes(90)));
        assertThat(d.mask().logRegexes().get(0).matcher("xx").matches()).isTrue();
        assertThat(d.audit().level()).isEqualTo(PolicyDecision.AuditLevel.RequestResponse);
    }

    @Test
    void approvalsCanNeedSeveralApprovers() {
        assertThat(parse("{\"allow\": false, \"approval\": {\"required\": true, \"approvers\": 2}}").approval().approvers()).isEqualTo(2);
        assertThat(parse("{\"allow\": false, \"approval\": {\"required\": true}}").approval().approvers()).isEqualTo(1);
        for (String bad : new String[]{"0", "1.5", "\"2\"", "11"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("{\"allow\": false, \"approval\": {\"required\": true, \"approvers\": " + bad + "}}"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("approval.approvers");
        }
    }

    @Test
    void optionalSectionsDefaultSafely() {
        PolicyDecision d = parse("{\"allow\": true}");
        assertThat(d.reasons()).isEmpty();
        assertThat(d.approval()).isEqualTo(PolicyDecision.Approval.NONE);
        assertThat(d.mask()).isEqualTo(PolicyDecision.Mask.SECRETS_ONLY); // Secret values stay hidden
        assertThat(d.audit()).isEqualTo(PolicyDecision.Audit.METADATA);
        assertThat(parse("{\"allow\": true, \"mask\": {}}").mask().secrets()).isTrue();
        assertThat(parse("{\"allow\": true, \"mask\": {}}").mask().credentials()).isTrue(); // credentials too
        assertThat(parse("{\"allow\": true, \"mask\": {\"credentials\": false}}").mask().credentials()).isFalse();
    }

    @Test
    void malformedDecisionsAreRefused() {
        String[][] cases = {
                {"[]", "defines no kubegate/decision"},
                {"[{\"result\": {\"allow\": true}}, {\"result\": {\"allow\": true}}]", "2 results"},
                {"{}", "allow must be a boolean, not missing"},
                {"{\"allow\": \"true\"}", "allow must be a boolean, not string"},
                {"{\"allow\": 1}", "allow must be a boolean"},
                {"{\"allow\": null}", "allow must be a boolean, not null"},
                {"[{\"result\": 42}]", "decision must be an object"},
                {"{\"allow\": true, \"reasons\": \"x\"}", "reasons must be an array"},
                {"{\"allow\": true, \"reasons\": [1]}", "reasons[] must be a string"},
                {"{\"allow\": true, \"reasons\": null}", "reasons is null"},
                {"{\"allow\": false, \"approval\": {\"reason\": \"x\"}}", "approval.required must be a boolean"},
                {"{\"allow\": true, \"approval\": {\"required\": true}}", "cannot both allow and require approval"},
                {"{\"allow\": false, \"approval\": {\"required\": true, \"ttl\": \"soon\"}}", "approval.ttl must be a duration"},
                {"{\"allow\": true, \"mask\": {\"secrets\": \"no\"}}", "mask.secrets must be a boolean"},
                {"{\"allow\": true, \"mask\": {\"credentials\": \"no\"}}", "mask.credentials must be a boolean"},
                {"{\"allow\": true, \"mask\": {\"logPatterns\": [\"(unclosed\"]}}", "invalid pattern"},
                // log patterns run on RE2 (linear time): a backtracking-only construct is refused, naming the pattern
                {"{\"allow\": true, \"mask\": {\"logPatterns\": [\"pin=(?<secret>\\\\d+)(?!\\\\d)\"]}}",
                        "mask.logPatterns has an invalid pattern: log pattern \"pin=(?<secret>\\\\d+)(?!\\\\d)\" cannot be used"},
                {"{\"allow\": true, \"mask\": {\"keyPatterns\": [\"(unclosed\"]}}", "mask.keyPatterns has an invalid pattern"},
                {"{\"allow\": true, \"audit\": {\"level\": \"None\"}}", "audit.level must be Metadata, Request or RequestResponse"},
                {"{\"allow\": true, \"allow\": false}", "not valid JSON"},
                {"{\"allow\": tru", "not valid JSON"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void goDurations() {
        assertThat(PolicyDecision.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(PolicyDecision.duration("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
        assertThat(PolicyDecision.duration("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(PolicyDecision.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(PolicyDecision.duration("")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> PolicyDecision.duration("15")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyDecision.duration("m")).isInstanceOf(IllegalArgumentException.class);
    }
}
