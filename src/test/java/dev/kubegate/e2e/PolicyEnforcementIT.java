package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The default policy pack enforced on real kubectl traffic, through every way kubectl writes a pod
 * spec: protobuf creates, client-side and server-side apply, the three patch types (resolved with
 * a dry run), workload templates and ephemeral debug containers. And a policy bundle replaced on
 * disk changes decisions without a restart, while a broken one is ignored.
 */
class PolicyEnforcementIT {

    static final String TOKEN = "policy-agent-" + UUID.randomUUID();

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-policy")
            .agent(TOKEN, "alice", "agents")
            .copy("kubegate.policy.bundle", "bundle.tar.gz", Path.of("target/generated-resources/policy/bundle.tar.gz"))
            .setting("kubegate.policy.reload-interval", "500ms");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;
    static Path bundle;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        bundle = dir.resolve("bundle.tar.gz");
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), TOKEN));
        agent.run("create", "namespace", "apps").assertSuccess();
    }

    private static Path manifest(String yaml) throws Exception {
        Path f = Files.createTempFile(dir, "manifest", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String PRIVILEGED_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s, namespace: apps}
            spec:
              containers:
              - name: shell
                image: busybox
                securityContext: {privileged: true}
            """;

    /** A refusal as the agent sees it: kubectl fails and prints the policy's explanation. */
    private static void assertRefused(Kubectl.Result r, String... expected) {
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isNotZero();
        assertThat(r.stderr()).contains(expected);
    }

    @Test
    void privilegedPodsAreRefusedWhicheverWayKubectlSendsThem() throws Exception {
        assertRefused(agent.run("-n", "apps", "run", "priv-run", "--image=busybox", "--privileged"),
                "User \"kubegate:alice\" cannot create resource \"pods\"", "spec.containers[0].securityContext.privileged");
        assertRefused(agent.run("apply", "-f", manifest(PRIVILEGED_POD.formatted("priv-apply")).toString()),
                "privileged containers are not allowed");
        assertRefused(agent.run("apply", "--server-side", "-f", manifest(PRIVILEGED_POD.formatted("priv-ssa")).toString()),
                "privileged containers are not allowed");
        assertThat(cluster.requests()).noneMatch(r -> r.method().equals("POST") && r.path().endsWith("/pods")
                && (r.rawQuery() == null || !r.rawQuery().contains("dryRun=All")) && r.status() / 100 == 2 && r.body().contains("priv-"));
        assertThat(agent.run("-n", "apps", "get", "pods", "-o", "name").stdout()).doesNotContain("priv-");
    }

    @Test
    void anOrdinaryPodIsAllowedAndPatchingPrivilegeIntoItIsNot() {
        agent.run("-n", "apps", "run", "plain", "--image=nginx").assertSuccess();
        assertThat(agent.run("-n", "apps", "get", "pod", "plain", "-o", "name").assertSuccess().stdout()).contains("pod/plain");
        String privileged = "{\"spec\":{\"containers\":[{\"name\":\"plain\",\"securityContext\":{\"privileged\":true}}]}}";
        assertRefused(agent.run("-n", "apps", "patch", "pod", "plain", "-p", privileged),
                "spec.containers[0].securityContext.privileged");
        assertRefused(agent.run("-n", "apps", "patch", "pod", "plain", "--type=merge",
                "-p", "{\"spec\":{\"hostNetwork\":true}}"), "hostNetwork");
        assertRefused(agent.run("-n", "apps", "patch", "pod", "plain", "--type=json",
                        "-p", "[{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext\",\"value\":{\"privileged\":true}}]"),
                "privileged containers are not allowed");
        // The refused patches changed nothing.
        assertThat(agent.run("-n", "apps", "get", "pod", "plain", "-o", "jsonpath={.spec.containers[0].securityContext}").stdout())
                .doesNotContain("privileged");
    }

    @Test
    void workloadTemplatesAreJudgedLikePods() throws Exception {
        Path deployment = manifest("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: miner, namespace: apps}
                spec:
                  selector: {matchLabels: {app: miner}}
                  template:
                    metadata: {labels: {app: miner}}
                    spec:
                      containers: [{name: miner, image: busybox}]
                      volumes: [{name: host, hostPath: {path: /}}]
                """);
        assertRefused(agent.run("apply", "-f", deployment.toString()), "spec.template.spec.volumes[0].hostPath");
    }

    @Test
    void ephemeralDebugContainersWithTheSysadminProfileAreRefused() {
        agent.run("-n", "apps", "run", "debug-target", "--image=nginx").assertSuccess();
        assertRefused(agent.run("-n", "apps", "debug", "debug-target", "--image=busybox", "--profile=sysadmin"),
                "privileged containers are not allowed", "ephemeralContainers");
        // "general" adds SYS_PTRACE, beyond the pack's capability baseline; "baseline" adds nothing.
        assertRefused(agent.run("-n", "apps", "debug", "debug-target", "--image=busybox", "--profile=general"),
                "adding capability SYS_PTRACE is not allowed");
        agent.run("-n", "apps", "debug", "debug-target", "--image=busybox", "--profile=baseline").assertSuccess();
    }

    @Test
    void highRiskCallsAreRefusedWithWhoMayApproveThem() {
        agent.run("create", "namespace", "doomed").assertSuccess();
        assertRefused(agent.run("delete", "namespace", "doomed"), "needs approval");
        assertThat(agent.run("get", "namespace", "doomed", "-o", "name").assertSuccess().stdout()).contains("namespace/doomed");
        assertRefused(agent.run("-n", "kube-system", "get", "secrets"), "kube-system");
    }

    @Test
    void aReplacedBundleChangesDecisionsWithoutRestartAndABrokenOneIsIgnored() throws Exception {
        agent.run("-n", "apps", "create", "configmap", "before-reload", "--from-literal=a=b").assertSuccess();
        agent.run("-n", "apps", "create", "configmap", "guarded", "--from-literal=a=b").assertSuccess();
        agent.run("-n", "apps", "label", "configmap", "guarded", "kubegate.dev/protected=true").assertSuccess();

        Path rego = dir.resolve("rego");
        Files.createDirectories(rego);
        try (var files = Files.list(Path.of("policies/rego"))) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith("_test.rego")).toList()) {
                Files.copy(f, rego.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(rego.resolve("freeze.rego"), """
                package kubegate

                deny contains refusal("configuration changes are frozen for the release; try again tomorrow") if {
                	input.request.resource == "configmaps"
                	input.request.verb == "create"
                }

                # Reads the object as it is now: what a delete would remove.
                deny contains refusal("this ConfigMap is protected; remove its label kubegate.dev/protected first") if {
                	input.request.verb == "delete"
                	input.oldObject.metadata.labels["kubegate.dev/protected"] == "true"
                }
                """);
        Path next = dir.resolve("next.tar.gz");
        Process build = new ProcessBuilder("bash", "src/main/sh/opa.sh", "build", "--v1-compatible", "-t", "wasm",
                "-e", "kubegate/decision", "-o", next.toString(), rego.toString()).inheritIO().start();
        assertThat(build.waitFor(120, TimeUnit.SECONDS) && build.exitValue() == 0).isTrue();
        Files.move(next, bundle, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertRefused(agent.run("-n", "apps", "create", "configmap", "after-reload-" + UUID.randomUUID().toString().substring(0, 6),
                        "--from-literal=a=b"), "frozen for the release"));

        // input.oldObject: the same verb on two objects, decided by what each one is now.
        assertRefused(agent.run("-n", "apps", "delete", "configmap", "guarded"), "this ConfigMap is protected");
        agent.run("-n", "apps", "delete", "configmap", "before-reload").assertSuccess();

        Files.write(bundle, List.of("this is not a policy bundle"));
        Thread.sleep(3000); // several reload intervals: the broken file is seen and rejected
        assertRefused(agent.run("-n", "apps", "create", "configmap", "still-frozen", "--from-literal=a=b"), "frozen for the release");
        assertThat(gateway.logText()).contains("bundle");
    }
}
