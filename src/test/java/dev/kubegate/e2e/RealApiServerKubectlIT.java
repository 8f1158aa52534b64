package dev.kubegate.e2e;

import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kubectl suite against a real kube-apiserver with real RBAC: impersonation, server-side apply,
 * dry-run, discovery and watch proven against the real thing. (Logs and exec need a kubelet: they
 * run against the test double only.) Skipped only on request: {@code -Dkubegate.it.real-apiserver=false}.
 */
class RealApiServerKubectlIT extends KubectlContract {

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.realApiServer("kubegate-real-apiserver")
            .agent(ALICE_TOKEN, "alice", "agents")
            .agent(BOB_TOKEN, "bob", "viewers");

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl alice;
    static Kubectl bob;

    @BeforeAll
    static void start() throws Exception {
        apiserver = kubegate.apiserver();
        gateway = kubegate.gateway();
        alice = kubegate.kubectl("alice.kubeconfig", ALICE_TOKEN);
        bob = kubegate.kubectl("bob.kubeconfig", BOB_TOKEN);
    }

    @Override
    GatewayProcess gateway() {
        return gateway;
    }

    @Override
    Kubectl alice() {
        return alice;
    }

    @Test
    void theClusterSeesTheImpersonatedAgentAndItsRbacApplies() {
        Kubectl.Result denied = bob.run("-n", "default", "create", "configmap", "nope", "--from-literal=a=b");
        assertThat(denied.exitCode()).isNotZero();
        // The API server's own RBAC message names the impersonated agent, not the gateway.
        assertThat(denied.stderr()).contains("User \"kubegate:bob\" cannot create resource \"configmaps\"");
        assertThat(ok(bob, "-n", "default", "get", "configmaps", "-o", "name")).doesNotContain("nope");
        Kubectl.Result canI = bob.run("auth", "can-i", "create", "configmaps");
        assertThat(canI.exitCode()).isEqualTo(1); // kubectl's exit code for "no"
        assertThat(canI.stdout().strip()).isEqualTo("no");
    }

    @Test
    void aClientCannotImpersonateSomeoneElseThroughTheGateway() {
        // kubectl --as sends Impersonate-User; kubegate drops it and impersonates the caller instead.
        Kubectl.Result r = bob.run("--as", "system:admin", "--as-group", "system:masters",
                "-n", "default", "create", "configmap", "escalated", "--from-literal=a=b");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("User \"kubegate:bob\"");
    }

    @Test
    void policyJudgesTheObjectTheRealApiServerWouldProduce() throws Exception {
        // kubectl run sends protobuf; kubectl patch a strategic merge patch: both resolved by the
        // API server's own dry run before policy decides, and nothing is persisted when refused.
        Kubectl.Result run = alice.run("-n", "default", "run", "priv", "--image=busybox", "--privileged");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("privileged containers are not allowed (spec.containers[0].securityContext.privileged)");
        ok(alice, "-n", "default", "create", "deployment", "web", "--image=busybox");
        Kubectl.Result patch = alice.run("-n", "default", "patch", "deployment", "web", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}}}");
        assertThat(patch.exitCode()).isNotZero();
        assertThat(patch.stderr()).contains("privileged containers are not allowed (spec.template.spec.containers[0].securityContext.privileged)");
        assertThat(ok(alice, "-n", "default", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].securityContext}"))
                .doesNotContain("privileged");
        // What the API server itself refuses in the dry run (pod specs are immutable) is relayed as is.
        ok(alice, "-n", "default", "run", "plain", "--image=busybox");
        Kubectl.Result podPatch = alice.run("-n", "default", "patch", "pod", "plain", "-p", "{\"spec\":{\"hostNetwork\":true}}");
        assertThat(podPatch.exitCode()).isNotZero();
        assertThat(podPatch.stderr()).contains("pod updates may not change fields");
        assertThat(ok(alice, "-n", "default", "get", "pods", "-o", "name")).doesNotContain("pod/priv");
    }

    @Test
    void yamlAliasesCannotSmugglePrivilegePastPolicy() throws Exception {
        // A YAML anchor the API server expands: judged on the API server's reading, not kubegate's.
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: smuggled, namespace: default}
                x-privileged: &p {privileged: true}
                spec:
                  containers:
                  - name: a
                    image: busybox
                    securityContext: *p
                """;
        var http = gateway.httpClient();
        var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url() + "/api/v1/namespaces/default/pods"))
                        .header("Authorization", "Bearer " + ALICE_TOKEN).header("Content-Type", "application/yaml")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(yaml)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isIn(400, 403, 422);
        assertThat(ok(alice, "-n", "default", "get", "pods", "-o", "name")).doesNotContain("smuggled");
    }

    @Test
    void secretValuesNeverReachTheAgentFromTheRealApiServer() throws Exception {
        String value = "real-Apiserver-S3cret-4711";
        ok(alice, "-n", "default", "create", "secret", "generic", "masked-real", "--from-literal=password=" + value);
        java.nio.file.Path manifest = java.nio.file.Files.createTempFile("applied-secret", ".yaml");
        java.nio.file.Files.writeString(manifest, """
                apiVersion: v1
                kind: Secret
                metadata: {name: applied-real, namespace: default}
                stringData: {token: %s}
                """.formatted(value));
        ok(alice, "apply", "-f", manifest.toString());
        String b64 = java.util.Base64.getEncoder().encodeToString(value.getBytes());
        for (String[] args : new String[][]{
                {"get", "secret", "masked-real", "-o", "yaml"},
                {"get", "secret", "applied-real", "-o", "json"},
                {"get", "secrets", "-o", "yaml"},
                {"get", "secrets"},
                {"describe", "secret", "masked-real"},
                {"get", "secret", "masked-real", "-o", "jsonpath={.data.password}"}}) {
            String[] full = new String[args.length + 2];
            full[0] = "-n";
            full[1] = "default";
            System.arraycopy(args, 0, full, 2, args.length);
            String out = ok(alice, full);
            assertThat(out).as(String.join(" ", args)).doesNotContain(value, b64, value.substring(0, 10), b64.substring(0, 12));
        }
        assertThat(ok(alice, "-n", "default", "get", "secret", "masked-real", "-o", "jsonpath={.data.password}")).isEqualTo("Kioq");
    }
}
