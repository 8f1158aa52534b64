package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logs and exec output through kubegate with the default pack, real kubectl: the values of the
 * Secrets a pod can read never reach the agent, raw or base64, whatever prints them (env,
 * {@code env | base64}, a value printed one character per 300 ms), even where no pattern would
 * catch them; when kubegate cannot read those Secrets the stream is refused; hostile 64 KiB lines
 * neither stall the gateway nor slip through; kubectl cp and port-forward wait for approval.
 *
 * <p>Logs and exec need a kubelet, so the cluster is the test double (it speaks the real log,
 * exec and WebSocket protocols); the Secret look-ups go to the same double, with kubegate's own
 * identity, and its authorization refuses them in namespace {@code locked}.
 */
class LogExecMaskingIT {

    static final String TOKEN = "logexec-agent-token";
    // values no log pattern recognises: only masking by value finds them
    static final String DB_PASSWORD = "Zq8vN3-wLp0-Tx7Rk2Ys";
    static final String GITHUB_TOKEN = "ghs_Oq9Vx4Kx2Lm7Np1Qr6St3Uv8Wz5Yb0Cd";
    static final String SIGNING_SEED = "sd:Mv5Jw1Hd8Gb3Fc6";
    static final List<String> VALUES = List.of(DB_PASSWORD, GITHUB_TOKEN, SIGNING_SEED);

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-logexec", lockedSecrets())
            .agent(TOKEN, "logexec", "agents")
            .setting("kubegate.approval.wait", "1s")
            // any event-loop task over 100 ms is reported with its stack (Vert.x blocked-thread checker)
            .setting("quarkus.vertx.max-event-loop-execute-time", "100ms")
            .setting("quarkus.vertx.warning-exception-time", "100ms");

    /** kubegate's own identity may not read Secrets in namespace "locked". */
    static FakeKubeApiServer.Options lockedSecrets() {
        FakeKubeApiServer.Options defaults = FakeKubeApiServer.Options.defaults();
        String gatewayUser = defaults.user();
        return defaults.toBuilder().deny(a -> a.user().equals(gatewayUser)
                && "secrets".equals(a.resource()) && "locked".equals(a.namespace())).build();
    }

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        cluster = kubegate.cluster();
        gateway = kubegate.gateway();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("agent.kubeconfig"), TOKEN));
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"locked"}}""");
        for (String ns : List.of("default", "locked")) {
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"%s"},
                     "data":{"password":"%s"}}""".formatted(ns, b64(DB_PASSWORD)));
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"ci","namespace":"%s"},
                     "data":{"GITHUB_TOKEN":"%s"}}""".formatted(ns, b64(GITHUB_TOKEN)));
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"signing","namespace":"%s"},
                     "data":{"seed":"%s"}}""".formatted(ns, b64(SIGNING_SEED)));
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"%s"},
                     "spec":{"containers":[{"name":"app","image":"nginx",
                       "env":[{"name":"DB_PASS","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}},
                              {"name":"LOG_LEVEL","value":"debug"}],
                       "envFrom":[{"secretRef":{"name":"ci"}}]}],
                      "volumes":[{"name":"keys","projected":{"sources":[{"secret":{"name":"signing"}}]}}]}}"""
                    .formatted(ns));
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * No 4-character run of any value, and no 6-character run of its base64 at any of the three
     * offsets it can have inside a longer encoding (the characters only its own bytes decide).
     */
    static void assertNoValue(String out) {
        String flat = out.replace("\n", "").replace("\r", "");
        for (String v : VALUES) {
            for (int i = 0; i + 4 <= v.length(); i++) {
                assertThat(out).as("a part of a Secret value reached the client").doesNotContain(v.substring(i, i + 4));
            }
            for (String prefix : List.of("", "x", "xy")) {
                String enc = b64(prefix + v);
                String stable = enc.substring((prefix.length() * 8 + 5) / 6, (prefix.length() + v.length()) * 8 / 6);
                for (int i = 0; i + 6 <= stable.length(); i++) {
                    assertThat(flat).as("a part of a Secret value's base64 reached the client").doesNotContain(stable.substring(i, i + 6));
                }
            }
        }
    }

    @Test
    void envShowsTheNamesNotTheValues() {
        Kubectl.Result env = agent.run("-n", "default", "exec", "app", "--", "env").assertSuccess();
        assertNoValue(env.stdout() + env.stderr());
        assertThat(env.stdout()).contains("DB_PASS=***\n", "GITHUB_TOKEN=***\n", "LOG_LEVEL=debug\n", "HOME=/root\n");
    }

    @Test
    void envThroughBase64IsMaskedToo() {
        Kubectl.Result encoded = agent.run("-n", "default", "exec", "app", "--", "sh", "-c", "env | base64").assertSuccess();
        assertNoValue(encoded.stdout() + encoded.stderr());
        assertThat(encoded.stdout()).contains("***");
        // the rest is still the environment, base64-encoded: the start decodes
        String firstLine = encoded.stdout().lines().findFirst().orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(firstLine.substring(0, 40)), StandardCharsets.UTF_8)).startsWith("PATH=/usr/local");
    }

    @Test
    void aValuePrintedOneCharacterEvery300msIsCaught() {
        Kubectl.Result slow = agent.withTimeout(Duration.ofSeconds(60))
                .run("-n", "default", "exec", "app", "--", "sh", "-c", "trickle 300 $DB_PASS").assertSuccess();
        assertNoValue(slow.stdout() + slow.stderr());
        assertThat(slow.stdout()).endsWith("***\n");
        // at most the first two characters, shown before the value could be recognised
        assertThat(slow.stdout().length()).isLessThanOrEqualTo(2 + "***\n".length());
    }

    @Test
    void logsAreMaskedByValueRawAndBase64() {
        cluster.addPodLogLines("default", "app", List.of(
                "connected with " + DB_PASSWORD + " as app",
                "config blob " + b64("{\"seed\":\"" + SIGNING_SEED + "\",\"token\":\"" + GITHUB_TOKEN + "\"}"),
                "ready"));
        Kubectl.Result logs = agent.run("-n", "default", "logs", "app").assertSuccess();
        assertNoValue(logs.stdout() + logs.stderr());
        assertThat(logs.stdout()).contains("connected with *** as app\n", "ready\n");
    }

    @Test
    void whenTheSecretsCannotBeReadTheStreamIsRefused() {
        Kubectl.Result logs = agent.run("-n", "locked", "logs", "app");
        assertThat(logs.exitCode()).isNotZero();
        assertThat(logs.stderr()).contains("could not read them", "the call is refused");
        assertNoValue(logs.stdout() + logs.stderr());

        Kubectl.Result exec = agent.run("-n", "locked", "exec", "app", "--", "env");
        assertThat(exec.exitCode()).isNotZero();
        assertNoValue(exec.stdout() + exec.stderr());
        assertThat(exec.stdout()).doesNotContain("HOME=/root");
        assertThat(gateway.logText()).contains("could not read them");
    }

    @Test
    void hostileLinesNeitherStallTheGatewayNorPassUnmasked() {
        int n = 64 << 10;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lines.add(fill("http://", "a.", n));                        // URL-like: java.util.regex backtracked for minutes
            lines.add(fill("x://", "eyJabcdef.", n));                   // JWT-like segments after a scheme: seconds
            lines.add(fill("eyJ" + "A".repeat(n / 2) + ".eyJ", "B", n));
            lines.add(fill("", "password=x&token=y;secret=z ", n));
        }
        lines.add(fill("x ", "a", n) + " " + DB_PASSWORD + " password=hunter2-after-a-long-line");
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"hostile","namespace":"default"},
                 "spec":{"containers":[{"name":"app","image":"nginx","envFrom":[{"secretRef":{"name":"db"}}]}]}}""");
        cluster.addPodLogLines("default", "hostile", lines);
        int logBefore = gateway.logText().length();
        long started = System.nanoTime();
        Kubectl.Result logs = agent.withTimeout(Duration.ofSeconds(60)).run("-n", "default", "logs", "hostile").assertSuccess();
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(ms).as("17 hostile 64 KiB lines through the masker (kubectl included)").isLessThan(10_000);
        assertNoValue(logs.stdout());
        assertThat(logs.stdout()).doesNotContain("hunter2-after").contains("password=***");
        assertThat(logs.stdout().lines().count()).isEqualTo(lines.size());
        // no event-loop task over 100 ms was masking (see start(); on a loaded machine other tasks may be reported)
        for (String entry : gateway.logText().substring(logBefore).split("\n(?=\\d{4}-\\d{2}-\\d{2} )")) {
            if (entry.contains("has been blocked for")) {
                assertThat(entry).as("an event loop blocked while masking").contains("\tat ").doesNotContain("dev.kubegate.masking", "com.google.re2j");
            }
        }
    }

    @Test
    void kubectlCpAndPortForwardNeedApproval() throws Exception {
        Kubectl.Result cp = agent.run("cp", "default/app:/etc/hosts", dir.resolve("copied").toString());
        assertThat(cp.exitCode()).isNotZero();
        assertThat(dir.resolve("copied")).doesNotExist();
        assertThat(gateway.logText()).contains("without approval: copying files with kubectl cp (exec of tar) streams them unmasked");

        Kubectl.Result forward = agent.withTimeout(Duration.ofSeconds(30))
                .run("-n", "default", "port-forward", "pod/app", GatewayProcess.freePort() + ":80");
        assertThat(forward.exitCode()).isNotZero();
        assertThat(forward.stderr()).contains("approval");
        assertThat(gateway.logText()).contains("without approval: port-forward opens a raw tunnel kubegate cannot mask");
    }

    private static String fill(String head, String unit, int length) {
        StringBuilder sb = new StringBuilder(length).append(head);
        while (sb.length() + unit.length() <= length) {
            sb.append(unit);
        }
        return sb.toString();
    }
}
