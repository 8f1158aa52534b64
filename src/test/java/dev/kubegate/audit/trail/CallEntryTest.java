package dev.kubegate.audit.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.Canonical;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A call's record: what a denied write at level Request keeps, masked. */
class CallEntryTest {

    @Test
    void aDeniedCreateAtLevelRequestKeepsTheMaskedObject() throws Exception {
        AuditTrail trail = new AuditTrail();
        trail.maxBody = 64 << 10;
        CallRecord c = new CallRecord("id-1");
        QueryParams q = QueryParams.parse("fieldManager=kubectl-client-side-apply&fieldValidation=Strict");
        c.classified(RequestInfoParser.parseWithQuery("POST", "/api/v1/namespaces/apps/secrets", q, false), q);
        c.authenticated(new Principal("alice-uid", "alice", "static", List.of("agents"), Optional.empty()));
        c.requestObject(Canonical.JSON.readTree("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"apps"},"data":{"password":"aHVudGVyMg=="}}"""));
        c.decided(new PolicyDecision(false, List.of("no"), PolicyDecision.Approval.NONE, PolicyDecision.Mask.SECRETS_ONLY,
                new PolicyDecision.Audit(PolicyDecision.AuditLevel.Request)), "rev");
        c.refused(Status.forbidden("no"));
        ObjectNode e = trail.entry(c, "call");
        assertThat(e.path("request").path("objectName").asText()).isEqualTo("db");
        JsonNode obj = e.path("requestObject");
        assertThat(obj.path("metadata").path("name").asText()).isEqualTo("db");
        assertThat(obj.toString()).doesNotContain("aHVudGVyMg==");
        assertThat(e.path("decision").path("result").asText()).isEqualTo("deny");
        assertThat(e.path("response").path("code").asInt()).isEqualTo(403);
        assertThat(Duration.ofMillis(e.path("latencyMs").asLong())).isLessThan(Duration.ofMinutes(1));
    }
}
