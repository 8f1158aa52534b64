package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RBAC changes against a real kube-apiserver: the built-in pack holds every RBAC write for approval,
 * and the approver reads what it grants before anything else — a RoleBinding to cluster-admin shows
 * the subject and the resolved ClusterRole's rules ({@code *} on {@code *}), read with kubegate's own
 * identity; a ClusterRole whose wildcard rule follows 150 harmless ones shows the wildcard first.
 * Through the approval API and {@code kubegate approvals show}. Skipped only on request:
 * {@code -Dkubegate.it.real-apiserver=false}.
 */
class ApprovalsRbacIT {

    static final String AGENT = "rbac-agent-" + UUID.randomUUID();
    static final String APPROVER = "rbac-approver-" + UUID.randomUUID();
    static final Pattern APPROVAL_ID = Pattern.compile("ap-[a-z0-9]{10}");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.realApiServer("kubegate-approvals-rbac")
            .agent(AGENT, "alice", "agents")
            .admin(APPROVER, "erin", "kubegate-approvers")
            .setting("kubegate.approval.wait", "1s");

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        apiserver = kubegate.apiserver();
        gateway = kubegate.gateway();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(60));
    }

    static JsonNode approval(String id) throws Exception {
        HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/v1/approvals/" + id))
                .header("Authorization", "Bearer " + APPROVER).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String heldId(Kubectl.Result r) {
        assertThat(r.exitCode()).as("held for approval: " + r.stdout()).isNotZero();
        assertThat(r.stderr()).contains("RBAC roles and bindings grant permissions");
        Matcher m = APPROVAL_ID.matcher(r.stderr());
        assertThat(m.find()).as(r.stderr()).isTrue();
        return m.group();
    }

    @Test
    void aRoleBindingToClusterAdminShowsTheRulesItGrants() throws Exception {
        String[] cmd = {"create", "rolebinding", "x", "--clusterrole=cluster-admin", "--user=y", "-n", "default"};
        String id = heldId(agent.run(cmd));
        JsonNode r = approval(id);
        JsonNode summary = r.path("summary");
        assertThat(summary.get(0).path("text").asText()).isEqualTo("grants ClusterRole cluster-admin in namespace default to User y");
        assertThat(summary.get(0).path("flags").toString()).contains("cluster-admin");
        assertThat(summary.toString()).contains("grants rule: * on * (apiGroups: *)").contains("grants rule: * on non-resource URLs *");
        for (JsonNode item : summary) {
            if (item.path("text").asText().startsWith("grants rule: * on *")) {
                assertThat(item.path("flags").toString()).contains("\"*\"").contains("secrets");
            }
        }

        String shown = gateway.cli("approvals", "show", id, "--token", APPROVER);
        assertThat(shown).contains("! grants ClusterRole cluster-admin in namespace default to User y   [cluster-admin]")
                .contains("! grants rule: * on * (apiGroups: *)").contains("/roleRef");
        assertThat(gateway.cli("approvals", "approve", id, "--token", APPROVER)).contains(id + " approved");
        agent.run(cmd).assertSuccess();
        assertThat(agent.run("get", "rolebinding", "x", "-n", "default", "-o", "jsonpath={.roleRef.name}").assertSuccess().stdout())
                .isEqualTo("cluster-admin");
    }

    @Test
    void aWildcardRuleAfter150HarmlessOnesIsTheFirstThingShown() throws Exception {
        Path f = dir.resolve("looks-harmless.yaml");
        Files.writeString(f, ApprovalsReviewIT.clusterRole("looks-harmless", 150, true, "\"get\", \"list\""));
        String id = heldId(agent.run("create", "-f", f.toString()));
        JsonNode summary = approval(id).path("summary");
        assertThat(summary.get(0).path("text").asText()).isEqualTo("adds rule: * on * (apiGroups: *)");
        assertThat(summary.get(0).path("flags").toString()).contains("\"*\"");
        assertThat(summary.get(1).path("text").asText()).isEqualTo("adds rule: get, list on widgets0 (apiGroups: example.com)");
        String shown = gateway.cli("approvals", "show", id, "--token", APPROVER);
        assertThat(shown.indexOf("! adds rule: * on * (apiGroups: *)")).isPositive()
                .isLessThan(shown.indexOf("adds rule: get, list on widgets0"));
        assertThat(shown).contains("widgets149");
    }
}
