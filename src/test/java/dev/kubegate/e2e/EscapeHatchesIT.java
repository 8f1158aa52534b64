package dev.kubegate.e2e;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #18 against the real kube-apiserver with real kubectl: an agent cannot obtain through kubegate a
 * credential or a workload identity stronger than its own (token requests, CSRs, token Secrets, pods as
 * other service accounts, bindings to cluster-admin, admission webhooks), and {@code kubegate rbac-check}
 * finds the RBAC rights planted in the cluster that would let it, and none once they are removed.
 */
class EscapeHatchesIT {

    static final String ALICE_TOKEN = "alice-" + UUID.randomUUID();
    static final String HATCHY_TOKEN = "hatchy-" + UUID.randomUUID();
    static final String EVIE_TOKEN = "evie-" + UUID.randomUUID();
    /** The delete budget of a session in this class (policy data): small, for the eviction test. */
    static final int DELETE_BUDGET = 2;
    static final String APPROVER_TOKEN = "carol-" + UUID.randomUUID();
    static final Pattern APPROVAL_ID = Pattern.compile("ap-[a-z0-9]{10}");

    static Path dir;
    static Path tokens;
    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl alice;
    static Kubectl admin;

    // alice: group "agents", cluster-admin in the test cluster, so only kubegate's policy stands in her way.
    // hatchy: no rights but those the tests plant. evie: like alice, with a session of her own for the
    // delete budget (only the eviction test spends it).
    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.realApiServer("kubegate-hatches")
            .agent(ALICE_TOKEN, "alice", "agents")
            .agent(HATCHY_TOKEN, "hatchy", "hatch-agents")
            .agent(EVIE_TOKEN, "evie", "agents")
            .admin(APPROVER_TOKEN, "carol", "kubegate-approvers")
            .file("kubegate.policy.data", "policy-data.json",
                    "{\"kubegate\": {\"budgets\": {\"deletes\": " + DELETE_BUDGET + ", \"mutations\": 200}}}")
            .setting("kubegate.approval.wait", "0s")
            .setting("kubegate.rbac-check.interval", "2s");

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        apiserver = kubegate.apiserver();
        tokens = dir.resolve("agents.csv");
        gateway = kubegate.gateway();
        alice = kubegate.kubectl("alice.kubeconfig", ALICE_TOKEN);
        admin = new Kubectl(apiserver.adminKubeconfig());
        admin.run("create", "namespace", "hatch").assertSuccess();
        admin.run("-n", "hatch", "create", "serviceaccount", "powerful").assertSuccess();
        admin.run("create", "clusterrolebinding", "powerful-admin", "--clusterrole=cluster-admin",
                "--serviceaccount=hatch:powerful").assertSuccess();
    }

    static Path manifest(String yaml) throws Exception {
        Path f = Files.createTempFile(dir, "manifest", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    static void assertRefused(Kubectl.Result r, String... expected) {
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isNotZero();
        assertThat(r.stderr()).contains(expected);
    }

    /** Needs approval: refused now, with the reason and the approval request to ask for; returns its id. */
    static String assertHeld(Kubectl.Result r, String... expected) {
        assertRefused(r, expected);
        assertThat(r.stderr()).contains("is waiting for an approver from kubegate-approvers");
        Matcher id = APPROVAL_ID.matcher(r.stderr());
        assertThat(id.find()).isTrue();
        return id.group();
    }

    @Test
    void tokenRequestsAreRefusedEvenAsDryRun() throws Exception {
        assertRefused(alice.run("-n", "hatch", "create", "token", "powerful"),
                "User \"kubegate:alice\" cannot create resource \"serviceaccounts/token\"",
                "a TokenRequest mints a token of service account \"powerful\"");
        // ?dryRun=All does not stop the API server from minting: kubegate refuses it all the same.
        HttpResponse<String> dry = gateway.httpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/api/v1/namespaces/hatch/serviceaccounts/powerful/token?dryRun=All"))
                .header("Authorization", "Bearer " + ALICE_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(dry.statusCode()).isEqualTo(403);
        assertThat(dry.body()).contains("a TokenRequest mints a token").doesNotContain("\"token\":\"ey");
    }

    @Test
    void certificateSigningRequestsCannotBeCreatedNorApproved() throws Exception {
        String csr = """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata: {name: %s}
                spec:
                  signerName: kubernetes.io/kube-apiserver-client
                  usages: [client auth]
                  request: %s
                """;
        String request = Base64.getEncoder().encodeToString(csrPem().getBytes(StandardCharsets.US_ASCII));
        assertRefused(alice.run("apply", "-f", manifest(csr.formatted("agent-csr", request)).toString()),
                "a CertificateSigningRequest for signer \"kubernetes.io/kube-apiserver-client\"");
        assertThat(admin.run("get", "csr", "-o", "name").assertSuccess().stdout()).doesNotContain("agent-csr");
        // One an operator created: the agent cannot approve it.
        admin.run("apply", "-f", manifest(csr.formatted("operator-csr", request)).toString()).assertSuccess();
        assertRefused(alice.run("certificate", "approve", "operator-csr"),
                "approving or denying CertificateSigningRequest \"operator-csr\"");
        assertThat(admin.run("get", "csr", "operator-csr", "-o", "jsonpath={.status.conditions}").assertSuccess().stdout())
                .doesNotContain("Approved");
    }

    @Test
    void certificateSigningRequestsCannotBeCreatedByServerSideApplyEither() throws Exception {
        // kubectl apply --server-side creates with a PATCH (application/apply-patch+yaml): no CSR of that name
        // exists, so the patch creates one and is refused like a create.
        String request = Base64.getEncoder().encodeToString(csrPem().getBytes(StandardCharsets.US_ASCII));
        Path csr = manifest("""
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata: {name: ssa-csr}
                spec:
                  signerName: kubernetes.io/kube-apiserver-client
                  usages: [client auth]
                  request: %s
                """.formatted(request));
        assertRefused(alice.run("apply", "--server-side", "-f", csr.toString()),
                "User \"kubegate:alice\" cannot patch resource \"certificatesigningrequests\"",
                "a CertificateSigningRequest for signer \"kubernetes.io/kube-apiserver-client\"");
        assertThat(admin.run("get", "csr", "-o", "name").assertSuccess().stdout()).doesNotContain("ssa-csr");
    }

    @Test
    void serviceAccountTokenSecretsAreRefused() throws Exception {
        assertRefused(alice.run("apply", "-f", manifest("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: stolen-token
                  namespace: hatch
                  annotations: {kubernetes.io/service-account.name: powerful}
                type: kubernetes.io/service-account-token
                """).toString()), "a Secret of type \"kubernetes.io/service-account-token\" is a credential");
        assertThat(admin.run("-n", "hatch", "get", "secrets", "-o", "name").assertSuccess().stdout()).doesNotContain("stolen-token");
        alice.run("-n", "hatch", "create", "secret", "generic", "own-data", "--from-literal=a=b").assertSuccess();
    }

    /**
     * A legacy token Secret (what every account had before 1.24) mounted or read as env borrows its
     * account without naming it in serviceAccountName: kubegate reads the Secret's type itself.
     */
    @Test
    void aPodThatMountsAnotherAccountsTokenSecretNeedsApproval() throws Exception {
        Path tokenSecret = manifest("""
                apiVersion: v1
                kind: Secret
                type: kubernetes.io/service-account-token
                metadata:
                  name: powerful-legacy-token
                  namespace: hatch
                  annotations: {kubernetes.io/service-account.name: powerful}
                """);
        admin.run("apply", "-f", tokenSecret.toString()).assertSuccess();
        String id = assertHeld(alice.run("apply", "-f", manifest("""
                apiVersion: v1
                kind: Pod
                metadata: {name: token-mounter, namespace: hatch}
                spec:
                  containers: [{name: c, image: busybox}]
                  volumes: [{name: t, secret: {secretName: powerful-legacy-token}}]
                """).toString()), "the workload would read the token of service account \"powerful\" from Secret \"powerful-legacy-token\"");
        assertThat(id).isNotBlank();
        assertHeld(alice.run("apply", "-f", manifest("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: token-env, namespace: hatch}
                spec:
                  selector: {matchLabels: {app: t}}
                  template:
                    metadata: {labels: {app: t}}
                    spec:
                      containers:
                      - name: c
                        image: busybox
                        env: [{name: T, valueFrom: {secretKeyRef: {name: powerful-legacy-token, key: token}}}]
                """).toString()), "from Secret \"powerful-legacy-token\"");
        assertThat(admin.run("-n", "hatch", "get", "pods,deployments", "-o", "name").assertSuccess().stdout())
                .doesNotContain("token-mounter").doesNotContain("token-env");
        // an ordinary Secret is no token: the pod goes through
        admin.run("-n", "hatch", "create", "secret", "generic", "app-config", "--from-literal=color=blue").assertSuccess();
        alice.run("apply", "-f", manifest("""
                apiVersion: v1
                kind: Pod
                metadata: {name: config-mounter, namespace: hatch}
                spec:
                  containers: [{name: c, image: busybox}]
                  volumes: [{name: t, secret: {secretName: app-config}}]
                """).toString()).assertSuccess();
    }

    @Test
    void podsRunAsDefaultWithoutApprovalAndAsAnotherServiceAccountOnlyWithIt() throws Exception {
        alice.run("-n", "hatch", "run", "plain", "--image=busybox").assertSuccess();
        Path borrowed = manifest("""
                apiVersion: v1
                kind: Pod
                metadata: {name: borrowed-pod, namespace: hatch}
                spec:
                  serviceAccountName: powerful
                  containers: [{name: c, image: busybox}]
                """);
        String id = assertHeld(alice.run("apply", "-f", borrowed.toString()),
                "the workload would run as service account \"powerful\" (spec.serviceAccountName)");
        assertThat(admin.run("-n", "hatch", "get", "pods", "-o", "name").assertSuccess().stdout()).doesNotContain("borrowed-pod");
        // A human approves this one pod: then the same call passes.
        Path token = dir.resolve("carol.token");
        Files.writeString(token, APPROVER_TOKEN + "\n");
        // The summary names the service account but not every field of the pod: the approver reads the
        // full diff first (kubegate refuses an approval of a partly summarised change otherwise).
        assertThat(gateway.cli("approvals", "show", id, "--token-file", token.toString(), "--server", gateway.url()))
                .contains("serviceAccountName").contains("powerful");
        assertThat(gateway.cli("approvals", "approve", id, "--token-file", token.toString(), "--server", gateway.url(),
                "--reason", "the job needs the deployer account")).contains(id + " approved");
        alice.run("apply", "-f", borrowed.toString()).assertSuccess();
        assertThat(admin.run("-n", "hatch", "get", "pod", "borrowed-pod", "-o", "jsonpath={.spec.serviceAccountName}")
                .assertSuccess().stdout()).isEqualTo("powerful");
        assertHeld(alice.run("apply", "-f", manifest("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: borrowed, namespace: hatch}
                spec:
                  selector: {matchLabels: {app: borrowed}}
                  template:
                    metadata: {labels: {app: borrowed}}
                    spec:
                      serviceAccount: powerful
                      containers: [{name: c, image: busybox}]
                """).toString()), "(spec.template.spec.serviceAccountName)");
        assertThat(admin.run("-n", "hatch", "get", "deployments", "-o", "name").assertSuccess().stdout()).doesNotContain("borrowed");
    }

    @Test
    void aPodAppliedServerSideAsAnotherServiceAccountIsHeldUnlessItExists() throws Exception {
        // kubectl apply --server-side creates the pod with a PATCH: it chooses the account like a create.
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: hatch, labels: {%s}}
                spec:
                  serviceAccountName: powerful
                  containers: [{name: c, image: busybox}]
                """;
        assertHeld(alice.run("apply", "--server-side", "-f", manifest(pod.formatted("ssa-borrowed", "")).toString()),
                "User \"kubegate:alice\" cannot patch resource \"pods\" in API group \"\" in the namespace \"hatch\" without approval",
                "the workload would run as service account \"powerful\" (spec.serviceAccountName)");
        assertThat(admin.run("-n", "hatch", "get", "pods", "-o", "name").assertSuccess().stdout()).doesNotContain("ssa-borrowed");
        // A pod that already runs as that account (an operator's): patching it chooses nothing, so no approval.
        admin.run("apply", "-f", manifest(pod.formatted("ssa-existing", "")).toString()).assertSuccess();
        alice.run("apply", "--server-side", "-f", manifest(pod.formatted("ssa-existing", "tier: web")).toString()).assertSuccess();
        assertThat(admin.run("-n", "hatch", "get", "pod", "ssa-existing", "-o", "jsonpath={.metadata.labels.tier}")
                .assertSuccess().stdout()).isEqualTo("web");
    }

    @Test
    void anEvictionIsADeleteForTheSessionsDeleteBudget() throws Exception {
        Kubectl evie = new Kubectl(gateway.kubeconfig(dir.resolve("evie.kubeconfig"), EVIE_TOKEN));
        for (String name : List.of("doomed-1", "doomed-2", "doomed-3")) {
            admin.run("-n", "hatch", "run", name, "--image=busybox").assertSuccess();
        }
        // Budget 2: one delete and one eviction spend it (the counters count the eviction as a delete) ...
        evie.run("-n", "hatch", "delete", "pod", "doomed-1", "--wait=false").assertSuccess();
        assertThat(evict(EVIE_TOKEN, "doomed-2").statusCode()).isIn(200, 201);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                admin.run("-n", "hatch", "get", "pods", "-o", "name").assertSuccess().stdout()).doesNotContain("doomed-2"));
        // ... so the next eviction, like the next delete, needs approval, and the pod stays.
        HttpResponse<String> held = evict(EVIE_TOKEN, "doomed-3");
        assertThat(held.statusCode()).as(held.body()).isEqualTo(403);
        assertThat(held.body()).contains(
                "User \\\"kubegate:evie\\\" cannot create resource \\\"pods/eviction\\\" in API group \\\"\\\" in the namespace \\\"hatch\\\" without approval",
                "this session has already deleted " + DELETE_BUDGET + " objects, its budget is " + DELETE_BUDGET);
        assertThat(APPROVAL_ID.matcher(held.body()).find()).isTrue();
        // (The held eviction is counted too: the counters count calls decided, as for deletes.)
        assertHeld(evie.run("-n", "hatch", "delete", "pod", "doomed-3", "--wait=false"),
                "this session has already deleted " + (DELETE_BUDGET + 1) + " objects, its budget is " + DELETE_BUDGET);
        assertThat(admin.run("-n", "hatch", "get", "pod", "doomed-3", "-o", "name").assertSuccess().stdout()).contains("doomed-3");
    }

    /** POST pods/{name}/eviction as the agent with {@code token} (policy/v1beta1: the API server is 1.20). */
    static HttpResponse<String> evict(String token, String pod) throws Exception {
        return gateway.httpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url() + "/api/v1/namespaces/hatch/pods/" + pod + "/eviction"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\","
                        + "\"metadata\":{\"name\":\"" + pod + "\",\"namespace\":\"hatch\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindingsToClusterAdminAndWebhookConfigurationsAreHeldNamingWhatTheyGrant() throws Exception {
        assertHeld(alice.run("-n", "hatch", "create", "rolebinding", "grab", "--clusterrole=cluster-admin", "--user=kubegate:alice"),
                "it grants the ClusterRole \"cluster-admin\" (every permission in the cluster, roleRef)");
        assertHeld(alice.run("apply", "-f", manifest("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: wide}
                rules: [{apiGroups: [""], resources: [users], verbs: [impersonate]}]
                """).toString()),
                "\"impersonate\" (act as other users, groups or service accounts) (rules[0])");
        assertHeld(alice.run("apply", "-f", manifest("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: spy}
                webhooks:
                - name: spy.example.com
                  admissionReviewVersions: [v1]
                  sideEffects: None
                  clientConfig: {url: "https://spy.example.com/"}
                  rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]
                """).toString()), "a validating admission webhook receives every object it selects");
        assertThat(admin.run("get", "validatingwebhookconfigurations,rolebindings", "-A", "-o", "name").assertSuccess().stdout())
                .doesNotContain("spy").doesNotContain("grab");
    }

    @Test
    void rbacCheckFindsPlantedHatchesAndNoneOnceRemoved() throws Exception {
        CliResult clean = rbacCheck("--principal", "hatchy");
        assertThat(clean.code).as(clean.out + clean.err).isZero();
        assertThat(clean.out).contains("No escape hatches found for 1 agent identities.");

        Path plant = manifest("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: hatch-rights, namespace: hatch}
                rules:
                - {apiGroups: [""], resources: [serviceaccounts/token, pods/exec], verbs: [create]}
                - {apiGroups: [""], resources: [pods], verbs: [create]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: hatch-rights, namespace: hatch}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: hatch-rights}
                subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: hatch-agents}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: hatch-impersonate}
                rules: [{apiGroups: [""], resources: [users], verbs: [impersonate]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: hatch-impersonate}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: hatch-impersonate}
                subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "kubegate:hatchy"}]
                """);
        admin.run("apply", "-f", plant.toString()).assertSuccess();
        try {
            CliResult found = rbacCheck("--principal", "hatchy");
            assertThat(found.code).as(found.out + found.err).isEqualTo(1);
            assertThat(found.out)
                    .containsPattern("hatchy +hatch +impersonate +\\(cluster\\) +impersonate users")
                    .containsPattern("hatchy +hatch +pods-as-serviceaccount +hatch +create pods \\(service accounts there: powerful\\)")
                    .containsPattern("hatchy +hatch +serviceaccount-token +hatch +create serviceaccounts/token")
                    .containsPattern("hatchy +info +pods-exec +hatch +create pods/exec")
                    .contains("3 escape hatches, 1 informational findings, for 1 agent identities.");
            CliResult json = rbacCheck("--principal", "hatchy", "-o", "json");
            assertThat(json.code).isEqualTo(1);
            assertThat(json.out).contains("\"hatches\" : 3", "\"user\" : \"kubegate:hatchy\"", "\"kind\" : \"serviceaccount-token\"");
        } finally {
            admin.run("delete", "-f", plant.toString()).assertSuccess();
        }
        CliResult removed = rbacCheck("--principal", "hatchy");
        assertThat(removed.code).as(removed.out + removed.err).isZero();
        assertThat(removed.out).contains("No escape hatches found");
    }

    @Test
    void theGatewayPublishesTheReportAsAMetricAndReadinessData() throws Exception {
        // alice's group is cluster-admin in the test cluster: every right is an escape hatch.
        var http = gateway.httpClient();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("kubegate_rbac_escape_hatches\\{kind=\"impersonate\",principal=\"alice\"[^}]*} 1\\.0")
                    .containsPattern("kubegate_rbac_escape_hatches\\{kind=\"serviceaccount-token\",principal=\"alice\"[^}]*} 1\\.0");
        });
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"rbac-escape-hatches\"", "alice impersonate (cluster): impersonate");
    }

    record CliResult(int code, String out, String err) {
    }

    /** {@code kubegate rbac-check} as an operator runs it: kubegate's own credentials and files. */
    static CliResult rbacCheck(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkubegate.data-dir=" + dir.resolve("cli-data"),
                "-Dkubegate.upstream.kubeconfig=" + apiserver.gatewayKubeconfig(),
                "-Dkubegate.identity.static.tokens-file=" + tokens,
                "-jar", GatewayProcess.app().toString(), "rbac-check"));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "rbac-check", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new CliResult(p.exitValue(), out, Files.readString(err));
    }

    /** A real PKCS#10 request (openssl), as an agent would send. */
    static String csrPem() throws Exception {
        Path key = dir.resolve("csr.key");
        Process p = new ProcessBuilder("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-subj", "/CN=agent").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String pem = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        return pem;
    }
}
