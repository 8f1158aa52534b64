package dev.kubegate.policy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static dev.kubegate.policy.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The built-in pack, compiled by this build, deciding realistic calls. */
class PolicyEngineTest {

    static PolicyEngine engine;

    @BeforeAll
    static void load() {
        engine = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.empty(), 2,
                Duration.ofSeconds(2), 1024, Duration.ofSeconds(10)));
        engine.start();
        assertThat(engine.loaded()).isPresent();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static PolicyDecision decide(PolicyInput in) {
        return engine.decide(in).toCompletableFuture().join();
    }

    @Test
    void builtInPackIsLoadedWithARevision() {
        PolicyEngine.Loaded l = engine.loaded().orElseThrow();
        assertThat(l.revision()).matches("[0-9a-f]{12}");
        assertThat(l.dataRevision()).matches("[0-9a-f]{12}");
        assertThat(l.mode()).isEqualTo("shared-compiled");
        assertThat(l.source()).contains("built-in");
    }

    @Test
    void privilegedPodIsDeniedNamingTheFieldAndTheFix() {
        PolicyDecision d = decide(input(request("create", "", "pods", "", "prod"), pod(PRIVILEGED_SPEC)));
        assertThat(d.allow()).isFalse();
        assertThat(d.approval().required()).isFalse();
        assertThat(d.reasons()).containsExactly("User \"kubegate:alice\" cannot create resource \"pods\" in API group \"\" "
                + "in the namespace \"prod\": privileged containers are not allowed (spec.containers[0].securityContext.privileged); "
                + "set privileged: false or remove it");
        assertThat(d.audit().level()).isEqualTo(PolicyDecision.AuditLevel.Request);
    }

    @Test
    void deploymentTemplateIsDenied() {
        PolicyDecision d = decide(input(request("create", "apps", "deployments", "", "prod"), deployment(PRIVILEGED_SPEC)));
        assertThat(d.allow()).isFalse();
        assertThat(d.reasons()).singleElement().asString()
                .startsWith("User \"kubegate:alice\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"prod\"")
                .contains("(spec.template.spec.containers[0].securityContext.privileged)");
    }

    @Test
    void hostPathAndHostNetworkInATemplateAreDeniedTogether() {
        PolicyDecision d = decide(input(request("patch", "apps", "deployments", "", "prod"), deployment("""
                {"hostNetwork": true, "containers": [{"name": "a", "image": "x"}],
                 "volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]}""")));
        assertThat(d.reasons()).hasSize(2)
                .anySatisfy(r -> assertThat(r).contains("(spec.template.spec.hostNetwork)"))
                .anySatisfy(r -> assertThat(r).contains("(spec.template.spec.volumes[0].hostPath, volume \"sock\")"));
    }

    @Test
    void aSecretValueCopiedIntoMetadataIsDeniedInTheCompiledPack() {
        // base64.decode, walk and contains run in the WASM engine, not only in opa test
        String b64 = java.util.Base64.getEncoder().encodeToString("Sup3r-S3cret-Value".getBytes());
        PolicyDecision d = decide(input(request("patch", "", "secrets", "", "default"), json("""
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "labels": {"copied": "%s"},
                 "annotations": {"decoded": "Sup3r-S3cret-Value"}}, "data": {"password": "%s"}}""".formatted(b64, b64))));
        assertThat(d.allow()).isFalse();
        assertThat(d.reasons()).hasSize(2)
                .anySatisfy(r -> assertThat(r).contains("metadata.labels.copied").contains("Secret values stay in data or stringData"))
                .anySatisfy(r -> assertThat(r).contains("metadata.annotations.decoded"));
        assertThat(d.mask().credentials()).isTrue();
        PolicyDecision ok = decide(input(request("patch", "", "secrets", "", "default"), json("""
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "labels": {"app": "web"}},
                 "data": {"password": "%s"}}""".formatted(b64))));
        assertThat(ok.allow()).isTrue();
    }

    @Test
    void ordinaryPodIsAllowed() {
        PolicyDecision d = decide(createPod());
        assertThat(d.allow()).isTrue();
        assertThat(d.reasons()).isEmpty();
        assertThat(d.approval()).isEqualTo(PolicyDecision.Approval.NONE);
    }

    @Test
    void podRunningAsAnotherServiceAccountNeedsApproval() {
        PolicyDecision d = decide(input(request("create", "", "pods", "", "prod"),
                pod(POD_SPEC.replace("\"serviceAccountName\": \"default\"", "\"serviceAccountName\": \"web\""))));
        assertThat(d.allow()).isFalse();
        assertThat(d.approval().required()).isTrue();
        assertThat(d.approval().reason()).contains("the workload would run as service account \"web\" (spec.serviceAccountName)");
    }

    @Test
    void tokenRequestIsRefusedEvenAsDryRun() {
        PolicyInput.Request r = request("create", "", "serviceaccounts", "token", "prod");
        PolicyInput.Request dry = new PolicyInput.Request(r.verb(), r.apiGroup(), r.apiVersion(), r.resource(), r.subresource(),
                r.namespace(), "deployer", r.isResourceRequest(), r.path(), r.query(), true);
        PolicyDecision d = decide(input(dry, json("{\"apiVersion\": \"authentication.k8s.io/v1\", \"kind\": \"TokenRequest\", \"spec\": {}}")));
        assertThat(d.allow()).isFalse();
        assertThat(d.approval().required()).isFalse();
        assertThat(d.reasons()).anySatisfy(reason -> assertThat(reason).contains("a TokenRequest mints a token of service account \"deployer\""));
    }

    @Test
    void networkPolicyChangeNeedsApproval() {
        PolicyDecision d = decide(input(request("create", "networking.k8s.io", "networkpolicies", "", "prod"),
                json("{\"kind\": \"NetworkPolicy\", \"metadata\": {\"name\": \"deny-all\"}, \"spec\": {\"podSelector\": {}}}")));
        assertThat(d.allow()).isFalse();
        assertThat(d.approval().required()).isTrue();
        assertThat(d.approval().approverGroups()).containsExactly("kubegate-approvers");
        assertThat(d.approval().ttl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(d.approval().reason()).contains("without approval: NetworkPolicies decide which traffic reaches workloads");
        assertThat(d.reasons()).containsExactly(d.approval().reason());
    }

    @Test
    void everyDecisionCarriesTheMaskSection() {
        PolicyDecision.Mask m = decide(read("get", "secrets", "prod")).mask();
        assertThat(m.secrets()).isTrue();
        assertThat(m.keyPatterns()).containsExactly("(?i)pass|secret|token|key|credential");
        assertThat(m.keyRegexes().get(0).matcher("DB_PASSWORD").find()).isTrue();
        List<com.google.re2j.Pattern> logs = m.logRegexes();
        assertThat(logs).hasSizeGreaterThanOrEqualTo(7);
        for (String line : List.of("AKIAIOSFODNN7EXAMPLE", "password=hunter2", "Authorization: Bearer abc.def",
                "postgres://app:s3cret@db/app", "-----BEGIN PRIVATE KEY-----")) {
            assertThat(logs).as(line).anySatisfy(p -> assertThat(p.matcher(line).find()).isTrue());
        }
        assertThat(logs).noneSatisfy(p -> assertThat(p.matcher("GET /healthz 200").find()).isTrue());
    }

    @Test
    void secretsInKubeSystemAndImpersonationAreDenied() {
        assertThat(decide(read("get", "secrets", "kube-system")).allow()).isFalse();
        assertThat(decide(read("impersonate", "users", "")).reasons()).singleElement().asString().contains("impersonation is not allowed");
    }

    @Test
    void warmUpRunsSampleCallsWithoutCountingThem() {
        long before = engine.allowed() + engine.denied() + engine.failures();
        engine.warmUp(50).join();
        assertThat(engine.allowed() + engine.denied() + engine.failures()).isEqualTo(before);
    }

    @Test
    void smallInputsAreDecidedOnTheCallingThread() {
        CompletableFuture<PolicyDecision> f = engine.decide(read("get", "pods", "prod")).toCompletableFuture();
        assertThat(f).isDone(); // no idle-instance shortage here: evaluated inline
        assertThat(f.join().allow()).isTrue();
    }

    @Test
    void overloadIsRefusedNotQueuedWithoutBound() {
        PolicyEngine small = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.empty(), 1,
                Duration.ofSeconds(2), 2, Duration.ofSeconds(10)));
        small.start();
        try {
            List<CompletableFuture<PolicyDecision>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // Large inputs go to the worker, so the one instance stays busy while we submit.
                all.add(small.decide(input(request("create", "", "configmaps", "", "prod"), big())).toCompletableFuture());
            }
            assertThat(all).anySatisfy(f -> assertThat(f).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(PolicyUnavailableException.class).withMessageContaining("overloaded"));
            assertThat(all).anySatisfy(f -> assertThat(f.join().allow()).isTrue());
        } finally {
            small.close();
        }
    }

    static com.fasterxml.jackson.databind.JsonNode big() {
        var data = json("{\"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"big\"}, \"data\": {}}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) data.get("data")).put("blob", "x".repeat(100_000));
        return data;
    }

    @Test
    void manyThreadsShareTheInstancesWithoutCrossTalk() throws Exception {
        // 8 threads over 2 instances: most calls find none idle and queue to the workers.
        List<PolicyInput> inputs = List.of(createPod(),
                input(request("create", "", "pods", "", "prod"), pod(PRIVILEGED_SPEC)),
                input(request("create", "apps", "deployments", "", "team-a"), deployment(PRIVILEGED_SPEC)),
                read("list", "secrets", "kube-system"),
                read("delete", "configmaps", "kube-system"));
        List<PolicyDecision> expected = inputs.stream().map(PolicyEngineTest::decide).toList();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                done.add(threads.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 300; i++) {
                        int k = (seed + i) % inputs.size();
                        assertThat(engine.decide(inputs.get(k)).toCompletableFuture().join()).isEqualTo(expected.get(k));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(300);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(engine.failures()).isZero();
    }
}
