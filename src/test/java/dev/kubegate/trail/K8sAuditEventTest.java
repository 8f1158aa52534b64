package dev.kubegate.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.sink.K8sAuditEvent;
import dev.kubegate.audit.sink.K8sAuditExport;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kubegate's call records exported as Kubernetes audit events read like the API server's own by
 * Falco's k8s_audit rules: each field the rules' {@code ka.*} fields extract (falcosecurity/plugins
 * k8saudit, extract.go) is where Falco looks for it, with the value kubegate knows.
 */
class K8sAuditEventTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Falco k8s_audit field → where the k8saudit plugin reads it in the event. */
    static final Map<String, String> FALCO = new LinkedHashMap<>();

    static {
        FALCO.put("ka.auditid", "/auditID");
        FALCO.put("ka.stage", "/stage");
        FALCO.put("ka.auth.decision", "/annotations/authorization.k8s.io~1decision");
        FALCO.put("ka.auth.reason", "/annotations/authorization.k8s.io~1reason");
        FALCO.put("ka.user.name", "/user/username");
        FALCO.put("ka.user.groups", "/user/groups");
        FALCO.put("ka.impuser.name", "/impersonatedUser/username");
        FALCO.put("ka.verb", "/verb");
        FALCO.put("ka.uri", "/requestURI");
        FALCO.put("ka.target.name", "/objectRef/name");
        FALCO.put("ka.target.namespace", "/objectRef/namespace");
        FALCO.put("ka.target.resource", "/objectRef/resource");
        FALCO.put("ka.req.pod.containers.image", "/requestObject/spec/containers/0/image");
        FALCO.put("ka.req.pod.containers.privileged", "/requestObject/spec/containers/0/securityContext/privileged");
        FALCO.put("ka.req.pod.host_network", "/requestObject/spec/hostNetwork");
        FALCO.put("ka.response.code", "/responseStatus/code");
        FALCO.put("ka.response.reason", "/responseStatus/reason");
        FALCO.put("ka.useragent", "/userAgent");
        FALCO.put("ka.sourceips", "/sourceIPs");
    }

    static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"priv","namespace":"apps"},
             "spec":{"hostNetwork":true,"containers":[{"name":"c","image":"busybox:1.36","securityContext":{"privileged":true},
               "env":[{"name":"DB_PASSWORD","value":"hunter2-hunter2"}]}]}}""";

    static CallRecord deniedPrivilegedPod() throws Exception {
        CallRecord c = new CallRecord("7f0e7d0e-6a4b-4c1e-9d57-2b1f0f3f6a01");
        c.uri = "/api/v1/namespaces/apps/pods?fieldManager=kubectl-run";
        c.method = "POST";
        c.source = "10.1.2.3";
        c.userAgent = "kubectl/v1.32.0 (linux/amd64) kubernetes/abc";
        QueryParams q = QueryParams.parse("fieldManager=kubectl-run");
        c.classified(RequestInfoParser.parseWithQuery("POST", "/api/v1/namespaces/apps/pods", q, false), q);
        c.authenticated(new Principal("alice-uid", "alice", "static", List.of("agents", "system:authenticated"), Optional.empty()));
        c.requestObject(Canonical.JSON.readTree(POD));
        c.decided(new PolicyDecision(false, List.of("privileged containers are not allowed"), PolicyDecision.Approval.NONE,
                new PolicyDecision.Mask(true, List.of("(?i)password"), List.of()),
                new PolicyDecision.Audit(PolicyDecision.AuditLevel.Request)), "rev-42");
        c.refused(Status.forbidden("privileged containers are not allowed"));
        return c;
    }

    static ObjectNode export(CallRecord c) {
        AuditTrail trail = new AuditTrail();
        trail.maxBody = 64 << 10;
        return K8sAuditEvent.from(trail.entry(c, "call"), "sha256:abc", c.uri,
                new K8sAuditEvent.Impersonated("kubegate:alice", List.of("agents", "system:authenticated")));
    }

    @Test
    void everyFieldFalcosRulesReadIsWhereTheyReadIt() throws Exception {
        JsonNode e = JSON.readTree(JSON.writeValueAsString(export(deniedPrivilegedPod())));
        List<String> missing = new ArrayList<>();
        FALCO.forEach((field, pointer) -> {
            if (e.at(pointer).isMissingNode() || e.at(pointer).isNull()) missing.add(field + " (" + pointer + ")");
        });
        assertThat(missing).as("Falco fields without a value").isEmpty();

        assertThat(e.path("kind").asText()).isEqualTo("Event");
        assertThat(e.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
        assertThat(e.at("/auditID").asText()).isEqualTo("7f0e7d0e-6a4b-4c1e-9d57-2b1f0f3f6a01");
        assertThat(e.at("/stage").asText()).isEqualTo("ResponseComplete");
        assertThat(e.at("/level").asText()).isEqualTo("Request");
        assertThat(e.at("/verb").asText()).isEqualTo("create");
        assertThat(e.at("/requestURI").asText()).isEqualTo("/api/v1/namespaces/apps/pods?fieldManager=kubectl-run");
        assertThat(e.at("/user/username").asText()).isEqualTo("alice");
        assertThat(e.at("/user/uid").asText()).isEqualTo("alice-uid");
        assertThat(e.at("/user/groups").toString()).isEqualTo("[\"agents\",\"system:authenticated\"]");
        assertThat(e.at("/user/extra/kubegate.dev~1identity-kind/0").asText()).isEqualTo("static");
        assertThat(e.at("/impersonatedUser/username").asText()).isEqualTo("kubegate:alice");
        assertThat(e.at("/sourceIPs").toString()).isEqualTo("[\"10.1.2.3\"]");
        assertThat(e.at("/userAgent").asText()).startsWith("kubectl/v1.32.0");
        // A create names its object in the body: objectRef.name comes from there, as the API server's does.
        assertThat(e.at("/objectRef").toString()).isEqualTo("{\"resource\":\"pods\",\"namespace\":\"apps\",\"name\":\"priv\",\"apiVersion\":\"v1\"}");
        assertThat(e.at("/responseStatus/code").asInt()).isEqualTo(403);
        assertThat(e.at("/responseStatus/reason").asText()).isEqualTo("Forbidden");
        assertThat(e.at("/responseStatus/status").asText()).isEqualTo("Failure");
        assertThat(e.at("/requestObject/spec/containers/0/image").asText()).isEqualTo("busybox:1.36");
        assertThat(e.at("/requestObject/spec/containers/0/securityContext/privileged").asBoolean()).isTrue();
        assertThat(e.at("/requestObject/spec/hostNetwork").asBoolean()).isTrue();
        // the request object is the record's: masked
        assertThat(e.toString()).doesNotContain("hunter2-hunter2");
        assertThat(e.has("responseObject")).isFalse();
        Instant received = Instant.parse(e.at("/requestReceivedTimestamp").asText());
        assertThat(e.at("/requestReceivedTimestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(Instant.parse(e.at("/stageTimestamp").asText())).isAfterOrEqualTo(received);
        JsonNode a = e.path("annotations");
        assertThat(a.path("authorization.k8s.io/decision").asText()).isEqualTo("forbid");
        assertThat(a.path("authorization.k8s.io/reason").asText()).isEqualTo("privileged containers are not allowed");
        assertThat(a.path("kubegate.dev/decision").asText()).isEqualTo("deny");
        assertThat(a.path("kubegate.dev/policy-revision").asText()).isEqualTo("rev-42");
        assertThat(a.path("kubegate.dev/record-hash").asText()).isEqualTo("sha256:abc");
        assertThat(a.path("kubegate.dev/record-id").asText()).isEqualTo("7f0e7d0e-6a4b-4c1e-9d57-2b1f0f3f6a01");
        a.fields().forEachRemaining(f -> assertThat(f.getValue().isTextual()).as("annotation %s is a string", f.getKey()).isTrue());
    }

    @Test
    void aMaskedReadCarriesItsApprovalMaskedCountAndMaskedAnswer() throws Exception {
        CallRecord c = CallEntryTest.read(PolicyDecision.AuditLevel.RequestResponse,
                CallEntryTest.answer(64 << 10, "application/json", CallEntryTest.SECRET));
        c.uri = "/api/v1/namespaces/apps/secrets/db";
        c.approval("ap-x7k2m9p4qr", "bob");
        c.masked(1);
        c.code = 200;
        JsonNode e = JSON.readTree(JSON.writeValueAsString(export(c)));
        assertThat(e.at("/verb").asText()).isEqualTo("get");
        assertThat(e.at("/level").asText()).isEqualTo("RequestResponse");
        assertThat(e.at("/objectRef/name").asText()).isEqualTo("db");
        assertThat(e.at("/objectRef/resource").asText()).isEqualTo("secrets");
        assertThat(e.at("/responseStatus").toString()).isEqualTo("{\"metadata\":{},\"code\":200}");
        assertThat(e.at("/responseObject/metadata/name").asText()).isEqualTo("db");
        assertThat(e.toString()).doesNotContain("aHVudGVyMg==");
        assertThat(e.at("/annotations/authorization.k8s.io~1decision").asText()).isEqualTo("allow");
        assertThat(e.at("/annotations/kubegate.dev~1approval-id").asText()).isEqualTo("ap-x7k2m9p4qr");
        assertThat(e.at("/annotations/kubegate.dev~1approver").asText()).isEqualTo("bob");
        assertThat(e.at("/annotations/kubegate.dev~1masked-count").asText()).isEqualTo("1");
    }

    @Test
    void aSubresourceIsInObjectRefAndEmptyPartsAreOmitted() throws Exception {
        CallRecord c = new CallRecord("7f0e7d0e-6a4b-4c1e-9d57-2b1f0f3f6a02");
        c.uri = "/api/v1/namespaces/apps/pods/web/exec?command=sh&stdin=true";
        QueryParams q = QueryParams.parse("command=sh&stdin=true");
        c.classified(RequestInfoParser.parseWithQuery("GET", "/api/v1/namespaces/apps/pods/web/exec", q, true), q);
        c.authenticated(new Principal("alice-uid", "alice", "static", List.of("agents"), Optional.empty()));
        c.decided(new PolicyDecision(true, List.of(), PolicyDecision.Approval.NONE, PolicyDecision.Mask.SECRETS_ONLY,
                PolicyDecision.Audit.METADATA), "rev");
        c.code = 101;
        JsonNode e = JSON.readTree(JSON.writeValueAsString(export(c)));
        // FALCO: ka.target.subresource
        assertThat(e.at("/objectRef/subresource").asText()).isEqualTo("exec");
        assertThat(e.at("/objectRef/name").asText()).isEqualTo("web");
        assertThat(e.at("/objectRef").has("apiGroup")).isFalse();
        assertThat(e.at("/verb").asText()).isEqualTo("create");
        assertThat(e.at("/sourceIPs").size()).isZero();
        assertThat(e.has("userAgent")).isFalse();
        assertThat(e.at("/responseStatus/code").asInt()).isEqualTo(101);
    }

    @Test
    void theExportAppendsOneParseableLinePerEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k8s-audit").resolve("events.jsonl");
        try (K8sAuditExport x = new K8sAuditExport(file)) {
            x.write(export(deniedPrivilegedPod()));
            x.write(export(deniedPrivilegedPod()));
            await().until(() -> x.written() == 2);
            assertThat(x.dropped()).isZero();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            assertThat(JSON.readTree(line).path("kind").asText()).isEqualTo("Event");
        }
    }
}
