package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.OtlpReceiver;
import dev.kubegate.testing.PromQl;
import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kubegate speaks its ecosystem's conventions, proven with real kubectl through a gateway in front of
 * a real kube-apiserver: kubectl prints kubegate's masking {@code Warning} like the API server's own;
 * spans reach an OTLP collector with the semantic-convention attributes and a CLIENT span for the API
 * server call; the SIEM export writes Kubernetes audit events; and every metric the Grafana dashboard
 * and the chart's alerts read is one a gateway really exposes, with bounded labels.
 */
class EcosystemConventionsIT {

    static final String ALICE = "alice-token-" + UUID.randomUUID();
    static final String PASSWORD = "Sup3r-S3cret-Db-Pa55";
    static final ObjectMapper JSON = new ObjectMapper();

    static RealKubeApiServer apiserver;
    static OtlpReceiver collector;
    static GatewayProcess gateway;
    static Kubectl alice;
    static Kubectl admin;
    static Path export;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", "EcosystemConventionsIT, against the real kube-apiserver");
        Path dir = Files.createTempDirectory("kubegate-conventions");
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        collector = OtlpReceiver.start();
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, ALICE + ",alice,alice-uid,\"agents\"\n");
        export = dir.resolve("siem").resolve("k8s-audit.jsonl");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.audit.export.enabled", "true",
                "kubegate.audit.export.file", export.toString(),
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.traces.sampler", "always_on",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", collector.endpoint(),
                "quarkus.otel.bsp.schedule.delay", "200ms",
                "kubegate.rbac-check.interval", "2s")); // agents are cluster-admin here: the report has hatches
        gateway.awaitReady();
        alice = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), ALICE));
        admin = new Kubectl(apiserver.adminKubeconfig());
        admin.run("-n", "default", "create", "secret", "generic", "db", "--from-literal=password=" + PASSWORD,
                "--from-literal=user=app").assertSuccess();
        admin.run("-n", "default", "create", "configmap", "settings", "--from-literal=color=blue").assertSuccess();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (collector != null) collector.close();
        if (apiserver != null) apiserver.close();
    }

    @Test
    void kubectlPrintsTheMaskingWarningLikeAnApiServerWarning() {
        Kubectl.Result yaml = alice.run("-n", "default", "get", "secret", "db", "-o", "yaml").assertSuccess();
        assertThat(yaml.stdout()).doesNotContain(PASSWORD).contains("name: db");
        assertThat(yaml.stderr()).contains("Warning: 2 Secret values masked by kubegate");
        // nothing masked, no warning
        Kubectl.Result plain = alice.run("-n", "default", "get", "configmap", "settings", "-o", "yaml").assertSuccess();
        assertThat(plain.stderr()).doesNotContain("Warning");
        // a watch: its head leaves before anything is masked, so it says masking is active
        try (Kubectl.Running watch = alice.start("-n", "default", "get", "secrets", "--watch", "-o", "name")) {
            watch.awaitStdout("secret/db", Duration.ofSeconds(20));
            // (the list before the watch has its own, counted warning)
            await().atMost(10, TimeUnit.SECONDS).until(() ->
                    watch.stderr().contains("Warning: Secret values in this response are masked by kubegate"));
        }
    }

    @Test
    void spansFollowTheSemanticConventions() {
        alice.run("-n", "default", "get", "configmap", "settings", "-o", "name").assertSuccess();
        OtlpReceiver.Span server = await().atMost(20, TimeUnit.SECONDS).until(() -> collector.spans().stream()
                .filter(s -> s.kind() == OtlpReceiver.SERVER
                        && "/api/v1/namespaces/default/configmaps/settings".equals(s.attribute("url.path")))
                .findFirst().orElse(null), s -> s != null);
        assertThat(server.attribute("http.request.method")).isEqualTo("GET");
        assertThat(server.attribute("http.response.status_code")).isEqualTo(200L);
        assertThat(server.attribute("server.address")).isNotNull();
        assertThat(server.attribute("kubegate.k8s.verb")).isEqualTo("get");
        assertThat(server.attribute("kubegate.k8s.resource")).isEqualTo("configmaps");
        assertThat(server.attribute("kubegate.k8s.namespace")).isEqualTo("default");
        assertThat(server.attribute("kubegate.k8s.name")).isEqualTo("settings");
        assertThat(server.attribute("kubegate.principal")).isEqualTo("alice");
        // nothing under k8s.*: that namespace describes where a process runs (resource attributes)
        assertThat(server.attributes().keySet()).noneMatch(k -> k.startsWith("k8s."));

        List<OtlpReceiver.Span> children = await().atMost(20, TimeUnit.SECONDS).until(() -> collector.spans().stream()
                .filter(s -> s.traceId().equals(server.traceId()) && s.parentSpanId().equals(server.spanId())).toList(),
                l -> l.stream().anyMatch(s -> s.kind() == OtlpReceiver.CLIENT));
        assertThat(children).extracting(OtlpReceiver.Span::name).contains("kubegate.authenticate", "kubegate.policy", "GET");
        OtlpReceiver.Span upstream = children.stream().filter(s -> s.kind() == OtlpReceiver.CLIENT).findFirst().orElseThrow();
        assertThat(upstream.name()).isEqualTo("GET");
        assertThat(upstream.attribute("http.request.method")).isEqualTo("GET");
        assertThat(upstream.attribute("url.path")).isEqualTo("/api/v1/namespaces/default/configmaps/settings");
        assertThat(upstream.attribute("server.address")).isEqualTo("127.0.0.1");
        assertThat(upstream.attribute("server.port")).isInstanceOf(Long.class);
        assertThat(upstream.attribute("http.response.status_code")).isEqualTo(200L);
        assertThat(upstream.statusCode()).isNotEqualTo(2); // not ERROR
    }

    @Test
    void theSiemExportWritesKubernetesAuditEvents() throws Exception {
        alice.run("-n", "default", "get", "secret", "db", "-o", "name").assertSuccess();
        Kubectl.Result denied = alice.run("-n", "default", "run", "priv", "--image=busybox", "--privileged");
        assertThat(denied.exitCode()).isNotZero();
        List<JsonNode> events = await().atMost(20, TimeUnit.SECONDS).until(EcosystemConventionsIT::exported,
                l -> l.stream().anyMatch(e -> "pods".equals(e.at("/objectRef/resource").asText()) && e.at("/responseStatus/code").asInt() == 403)
                        && l.stream().anyMatch(e -> "secrets".equals(e.at("/objectRef/resource").asText())));
        for (JsonNode e : events) {
            assertThat(e.path("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
            assertThat(e.path("kind").asText()).isEqualTo("Event");
            assertThat(e.path("stage").asText()).isEqualTo("ResponseComplete");
            assertThat(e.path("auditID").asText()).isNotEmpty();
            assertThat(e.at("/annotations/kubegate.dev~1record-hash").asText()).isNotEmpty();
        }
        JsonNode read = events.stream().filter(e -> "secrets".equals(e.at("/objectRef/resource").asText())
                && "get".equals(e.path("verb").asText())).findFirst().orElseThrow();
        assertThat(read.at("/user/username").asText()).isEqualTo("alice");
        assertThat(read.at("/user/groups").toString()).contains("agents");
        assertThat(read.at("/impersonatedUser/username").asText()).isEqualTo("kubegate:alice");
        assertThat(read.at("/objectRef/namespace").asText()).isEqualTo("default");
        assertThat(read.at("/objectRef/name").asText()).isEqualTo("db");
        assertThat(read.at("/requestURI").asText()).startsWith("/api/v1/namespaces/default/secrets/db");
        assertThat(read.at("/responseStatus/code").asInt()).isEqualTo(200);
        assertThat(read.at("/sourceIPs/0").asText()).isEqualTo("127.0.0.1");
        assertThat(read.path("userAgent").asText()).startsWith("kubectl/");
        assertThat(read.at("/annotations/authorization.k8s.io~1decision").asText()).isEqualTo("allow");
        JsonNode refused = events.stream().filter(e -> e.at("/responseStatus/code").asInt() == 403
                && "pods".equals(e.at("/objectRef/resource").asText())).findFirst().orElseThrow();
        assertThat(refused.path("verb").asText()).isEqualTo("create");
        assertThat(refused.at("/objectRef/name").asText()).isEqualTo("priv");
        assertThat(refused.at("/annotations/authorization.k8s.io~1decision").asText()).isEqualTo("forbid");
        assertThat(refused.at("/annotations/kubegate.dev~1decision").asText()).isEqualTo("deny");
        assertThat(refused.at("/annotations/authorization.k8s.io~1reason").asText()).contains("privileged");
        assertThat(Files.readString(export)).doesNotContain(PASSWORD);
    }

    static String scrape() throws Exception {
        java.net.http.HttpResponse<String> r = gateway.httpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway.url() + "/q/metrics")).timeout(Duration.ofSeconds(20)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static List<JsonNode> exported() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(export)) return out;
        for (String line : Files.readAllLines(export)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void theDashboardAndTheAlertsReadOnlyMetricsAGatewayExposes() throws Exception {
        // traffic that makes every kind of series appear: reads, a masked Secret, a refusal, an unknown resource
        alice.run("-n", "default", "get", "configmaps").assertSuccess();
        alice.run("-n", "default", "get", "secret", "db", "-o", "yaml").assertSuccess();
        alice.run("-n", "default", "run", "priv2", "--image=busybox", "--privileged");
        alice.run("get", "--raw", "/apis/widgets.example.com/v1/namespaces/default/gadgets/g-" + UUID.randomUUID());
        // (a call is counted when its exchange completes, a moment after kubectl saw the end)
        String scrape = await().atMost(30, TimeUnit.SECONDS).until(EcosystemConventionsIT::scrape,
                m -> m.contains("kubegate_masked_values_total") && m.contains("kubegate_refusals_total")
                        && m.contains("resource=\"other\"") && m.contains("kubegate_rbac_escape_hatches{"));
        Set<String> exposed = PromQl.exposedSeries(scrape);

        Set<String> dashboard = PromQl.kubegateMetrics(PromQl.dashboardExpressions(PromQl.DASHBOARD));
        Set<String> alerts = PromQl.kubegateMetrics(PromQl.ruleExpressions(PromQl.CHART_VALUES));
        assertThat(dashboard).hasSizeGreaterThan(15);
        assertThat(alerts).contains("kubegate_http_server_request_duration_seconds_count");
        assertThat(exposed).as("series the Grafana dashboard reads").containsAll(dashboard);
        assertThat(exposed).as("series the PrometheusRule reads").containsAll(alerts);

        // Prometheus naming: the histogram in seconds, counters end in _total
        assertThat(scrape).contains("# TYPE kubegate_http_server_request_duration_seconds histogram")
                .contains("# TYPE kubegate_refusals counter").contains("kubegate_refusals_total{reason=\"Forbidden\"}");
        // bounded labels: a resource outside the built-in set is "other", and no name or path is a label value
        assertThat(scrape).contains("kubegate_http_server_request_duration_seconds_count{code=\"404\",group=\"other\",resource=\"other\"");
        assertThat(scrape).doesNotContain("widgets").doesNotContain("gadgets").doesNotContain("settings\"");
        assertThat(scrape).contains("kubegate_masked_values_total{resource=\"secrets\"}");
    }
}
