package dev.kubegate.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.Canonical;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.upstream.BodyCapture;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A call's record: what a denied write at level Request keeps, masked; the answer at level RequestResponse. */
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

    static final String SECRET = """
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"apps"},"data":{"password":"aHVudGVyMg=="}}""";

    static CallRecord read(PolicyDecision.AuditLevel level, BodyCapture answer) {
        CallRecord c = new CallRecord("id-2");
        QueryParams q = QueryParams.parse("");
        c.classified(RequestInfoParser.parseWithQuery("GET", "/api/v1/namespaces/apps/secrets/db", q, false), q);
        c.authenticated(new Principal("alice-uid", "alice", "static", List.of("agents"), Optional.empty()));
        c.decided(new PolicyDecision(true, List.of(), PolicyDecision.Approval.NONE, PolicyDecision.Mask.SECRETS_ONLY,
                new PolicyDecision.Audit(level)), "rev");
        c.response = answer;
        return c;
    }

    static BodyCapture answer(long max, String contentType, String... chunks) {
        BodyCapture b = new BodyCapture(max);
        b.head(MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType));
        for (String chunk : chunks) b.add(Buffer.buffer(chunk));
        return b;
    }

    @Test
    void aReadAtLevelRequestResponseKeepsTheMaskedAnswer() {
        AuditTrail trail = new AuditTrail();
        trail.maxBody = 64 << 10;
        int half = SECRET.length() / 2;
        ObjectNode e = trail.entry(read(PolicyDecision.AuditLevel.RequestResponse,
                answer(64 << 10, "application/json", SECRET.substring(0, half), SECRET.substring(half))), "call");
        assertThat(e.path("responseObject").path("metadata").path("name").asText()).isEqualTo("db");
        assertThat(e.path("responseObject").path("data").has("password")).isTrue();
        assertThat(e.toString()).doesNotContain("aHVudGVyMg==");
        assertThat(e.path("responseObjectMaskedFields").asInt()).isEqualTo(1);
    }

    @Test
    void anAnswerOverTheLimitOrNotJsonIsOmittedWithTheReason() {
        AuditTrail trail = new AuditTrail();
        trail.maxBody = 64 << 10;
        ObjectNode big = trail.entry(read(PolicyDecision.AuditLevel.RequestResponse, answer(40, "application/json", SECRET)), "call");
        assertThat(big.has("responseObject")).isFalse();
        assertThat(big.path("responseObjectOmitted").asText()).isEqualTo("the answer is " + SECRET.length() + " bytes, over kubegate.audit.max-body");
        assertThat(big.toString()).doesNotContain("aHVudGVyMg==");
        ObjectNode proto = trail.entry(read(PolicyDecision.AuditLevel.RequestResponse,
                answer(64 << 10, "application/vnd.kubernetes.protobuf", "k8s\0")), "call");
        assertThat(proto.path("responseObjectOmitted").asText()).contains("not JSON");
        ObjectNode metadata = trail.entry(read(PolicyDecision.AuditLevel.Metadata, answer(64 << 10, "application/json", SECRET)), "call");
        assertThat(metadata.has("responseObject")).isFalse();
        assertThat(metadata.has("responseObjectOmitted")).isFalse();
    }

    @Test
    void aCaptureKeepsNoMoreThanItsLimit() {
        BodyCapture b = new BodyCapture(10);
        b.add(Buffer.buffer("0123456"));
        b.add(Buffer.buffer("789abc"));
        b.add(Buffer.buffer("def"));
        assertThat(new String(b.bytes())).isEqualTo("0123456789");
        assertThat(b.truncated()).isTrue();
        assertThat(b.length()).isEqualTo(16);
        BodyCapture exact = new BodyCapture(4);
        exact.add(Buffer.buffer("abcd"));
        assertThat(exact.truncated()).isFalse();
        assertThat(new String(exact.bytes())).isEqualTo("abcd");
    }
}
