package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secret values and credentials never reach the agent in clear text, whichever way real kubectl
 * reads them through kubegate (default policy pack): Secrets as YAML, JSON, jsonpath, Tables,
 * lists, watches, describe, last-applied-configuration and dry-run echoes; pod env credentials;
 * logs; exec output. The rest of each answer is intact and kubectl's exit codes are unchanged.
 */
class MaskingIT {

    static final String TOKEN = "masking-agent-token";
    static final String DB_PASSWORD = "hunter2-Sup3r-S3cret-Value";
    static final String API_TOKEN = "tok-9f8e7d6c5b4a39281706";
    static final String ENV_PASSWORD = "env-Pa55w0rd-From-Spec";
    static final String LOG_PASSWORD = "Log-Pa55w0rd-XyZ-123";
    static final String AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String APPLIED_PASSWORD = "qX7vK2mPw9988zLrT";

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-masking").agent(TOKEN, "masker", "agents");

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        agent = kubegate.kubectl("agent.kubeconfig", TOKEN);
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default","labels":{"app":"db"}},
                 "type":"Opaque","data":{"password":"%s","api-token":"%s"}}"""
                .formatted(b64(DB_PASSWORD), b64(API_TOKEN)));
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},
                 "spec":{"containers":[{"name":"app","image":"nginx",
                   "env":[{"name":"DB_PASSWORD","value":"%s"},{"name":"LOG_LEVEL","value":"debug"}]}]}}"""
                .formatted(ENV_PASSWORD));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** No 8-byte run of any secret, in clear or base64, in what kubectl printed. */
    static void assertNoLeak(Kubectl.Result r) {
        assertNoLeak(r.stdout() + r.stderr());
    }

    static void assertNoLeak(String out) {
        for (String secret : List.of(DB_PASSWORD, API_TOKEN, ENV_PASSWORD, LOG_PASSWORD, AWS_KEY_ID, AWS_SECRET, APPLIED_PASSWORD)) {
            for (String form : List.of(secret, b64(secret))) {
                for (int i = 0; i + 8 <= form.length(); i++) {
                    assertThat(out).as("a part of a secret value reached the client").doesNotContain(form.substring(i, i + 8));
                }
            }
        }
    }

    @Test
    void aSecretReadAsYamlJsonOrJsonpathShowsItsKeysNotItsValues() {
        Kubectl.Result yaml = agent.run("-n", "default", "get", "secret", "db", "-o", "yaml").assertSuccess();
        assertNoLeak(yaml);
        assertThat(yaml.stdout()).contains("password: Kioq", "api-token: Kioq", "name: db", "app: db", "type: Opaque");

        Kubectl.Result json = agent.run("-n", "default", "get", "secret", "db", "-o", "json").assertSuccess();
        assertNoLeak(json);
        assertThat(json.stdout()).contains("\"password\": \"Kioq\"", "\"kind\": \"Secret\"");

        Kubectl.Result path = agent.run("-n", "default", "get", "secret", "db", "-o", "jsonpath={.data.password}").assertSuccess();
        assertThat(path.stdout()).isEqualTo("Kioq");
        assertThat(new String(Base64.getDecoder().decode(path.stdout()), StandardCharsets.UTF_8)).isEqualTo("***");

        Kubectl.Result table = agent.run("-n", "default", "get", "secret", "db").assertSuccess();
        assertNoLeak(table);
        assertThat(table.stdout()).contains("db", "Opaque", "2");

        // a missing Secret is still a NotFound with kubectl's exit code 1
        Kubectl.Result missing = agent.run("-n", "default", "get", "secret", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("NotFound");
    }

    @Test
    void listsDescribeAndWatchesAreMaskedToo() {
        Kubectl.Result list = agent.run("-n", "default", "get", "secrets", "-o", "json").assertSuccess();
        assertNoLeak(list);
        assertThat(list.stdout()).contains("\"password\": \"Kioq\"", "\"name\": \"db\"");

        Kubectl.Result all = agent.run("-n", "default", "get", "secrets", "-o", "yaml").assertSuccess();
        assertNoLeak(all);

        Kubectl.Result described = agent.run("-n", "default", "describe", "secret", "db").assertSuccess();
        assertNoLeak(described);
        assertThat(described.stdout()).contains("Name:", "db", "password:", "3 bytes");

        try (Kubectl.Running watch = agent.start("-n", "default", "get", "secrets", "-w", "-o", "json")) {
            watch.awaitStdout("\"name\": \"db\"", Duration.ofSeconds(20));
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"watched","namespace":"default"},
                     "data":{"password":"%s"}}""".formatted(b64(DB_PASSWORD)));
            String out = watch.awaitStdout("\"name\": \"watched\"", Duration.ofSeconds(20));
            assertNoLeak(out + watch.stderr());
        }
    }

    @Test
    void lastAppliedConfigurationAndDryRunEchoesAreMasked() throws Exception {
        Path manifest = dir.resolve("applied.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Secret
                metadata: {name: applied, namespace: default}
                stringData: {password: %s}
                """.formatted(APPLIED_PASSWORD));
        Kubectl.Result applied = agent.run("apply", "-f", manifest.toString(), "-o", "yaml").assertSuccess();
        assertNoLeak(applied);
        Kubectl.Result read = agent.run("-n", "default", "get", "secret", "applied", "-o", "yaml").assertSuccess();
        assertNoLeak(read);
        assertThat(read.stdout()).contains("kubectl.kubernetes.io/last-applied-configuration: '***'");

        Kubectl.Result dryRun = agent.run("-n", "default", "create", "secret", "generic", "echoed",
                "--from-literal=password=" + DB_PASSWORD, "--dry-run=server", "-o", "yaml").assertSuccess();
        assertNoLeak(dryRun);
        assertThat(dryRun.stdout()).contains("password: Kioq");
    }

    @Test
    void envCredentialsInPodSpecsAreMaskedOtherEnvIsNot() {
        Kubectl.Result pod = agent.run("-n", "default", "get", "pod", "app", "-o", "yaml").assertSuccess();
        assertNoLeak(pod);
        assertThat(pod.stdout()).contains("name: DB_PASSWORD", "value: '***'", "name: LOG_LEVEL", "value: debug", "image: nginx");
    }

    @Test
    void followedLogsAreMaskedLineByLine() {
        cluster.addPodLogLines("default", "app", List.of("starting", "db password=" + LOG_PASSWORD + " user=app"));
        try (Kubectl.Running logs = agent.start("-n", "default", "logs", "-f", "app")) {
            logs.awaitStdout("user=app\n", Duration.ofSeconds(20));
            cluster.addPodLogLines("default", "app", List.of("aws " + AWS_KEY_ID + " ready"));
            String out = logs.awaitStdout("ready\n", Duration.ofSeconds(20));
            assertNoLeak(out);
            assertThat(out).isEqualTo("starting\ndb password=*** user=app\naws *** ready\n");
        }
    }

    @Test
    void execOutputIsMaskedAndTheExitCodeKept() {
        cluster.putPodFile("default", "app", "/etc/app/credentials",
                "[default]\naws_access_key_id = " + AWS_KEY_ID + "\naws_secret_access_key = " + AWS_SECRET + "\nregion = eu-west-1\n");
        Kubectl.Result cat = agent.run("-n", "default", "exec", "app", "--", "cat", "/etc/app/credentials").assertSuccess();
        assertNoLeak(cat);
        assertThat(cat.stdout()).isEqualTo("[default]\naws_access_key_id = ***\naws_secret_access_key = ***\nregion = eu-west-1\n");
        assertThat(agent.run("-n", "default", "exec", "app", "--", "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
    }

    @Test
    void whatCannotBeMaskedIsRefused() {
        Kubectl.Result spdy = agent.withEnv("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")
                .run("-n", "default", "exec", "app", "--", "cat", "/etc/app/credentials");
        assertThat(spdy.exitCode()).isNotZero();
        assertThat(spdy.stderr()).contains("WebSocket");
        assertNoLeak(spdy);

        Kubectl.Result proxy = agent.run("get", "--raw", "/api/v1/namespaces/default/pods/app/proxy/");
        assertThat(proxy.exitCode()).isNotZero();
        assertThat(proxy.stderr()).contains("proxy");
    }

    @Test
    void maskedValuesAreCounted() {
        agent.run("-n", "default", "get", "secret", "db", "-o", "name").assertSuccess();
        String metrics = await().atMost(10, TimeUnit.SECONDS).until(
                () -> RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().get("/q/metrics").asString(),
                m -> m.contains("kubegate_masked_values_total{resource=\"secrets\"}"));
        assertThat(metrics).contains("kubegate_masked_values_total{resource=\"secrets\"}");
        assertThat(gateway.logText()).contains("masked=");
    }
}
