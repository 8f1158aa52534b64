package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secret values and credentials never reach the agent, the approvers or the audit trail in clear,
 * wherever they sit in a Secret: real kubectl through kubegate against the real kube-apiserver.
 * Skipped only on request: {@code -Dkubegate.it.real-apiserver=false}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretValuesIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String AGENT = "agent-" + UUID.randomUUID();
    static final String APPROVER = "approver-" + UUID.randomUUID();

    /** Values chosen so that their base64 is a valid label value (no '+', '/', '='). */
    static final String VALUE = "Exfil-Me-S3cret-Value-00042";
    static final String PLANTED = "Planted-S3cret-Value-000077";
    static final String HELD = "Held-S3cret-Value-Approval1";
    static final String CURRENT = "Current-S3cret-Value-000055";
    /** Its base64 ends with "==": not a valid label value, so the API server's error quotes it. */
    static final String BAD_LABEL = "Bad-Label-Value-0042";
    /** Quoted by the API server's refusals of dry runs (the name of the object, a decode error). */
    static final String QUOTED = "Quoted-S3cret-Value-000099";
    static final String QUOTED_SHORT = "admin";
    static final String OWN_NS = "Own-Namespace-S3cret-00011";
    static final String CM_TOKEN = "CM-TOKEN-VALUE-4242";

    static Path dir;
    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Kubectl admin;
    static HttpServer webhook;
    static final List<String> hooks = new CopyOnWriteArrayList<>();

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", "SecretValuesIT, against the real kube-apiserver");
        dir = Files.createTempDirectory("kubegate-secret-values");
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, AGENT + ",alice,alice-uid,\"agents\"\n");
        Path data = dir.resolve("policy-data.json");
        Files.writeString(data, "{\"kubegate\": {\"productionNamespaces\": [\"prod\"]}}");
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, APPROVER + ",bob,bob-uid,\"kubegate-approvers\"\n");
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", ex -> {
            hooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        webhook.start();
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.policy.data", data.toString(),
                "kubegate.approval.wait", "1s",
                "kubegate.approval.webhook-url", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"));
        gateway.awaitReady();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(60));
        admin = new Kubectl(apiserver.adminKubeconfig()).withTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (apiserver != null) apiserver.close();
        if (webhook != null) webhook.stop(0);
    }

    static String ok(Kubectl k, String... args) {
        return k.run(args).assertSuccess().stdout();
    }

    /** Neither the value nor its base64, nor a long piece of either. */
    static void assertClean(String what, String text, String... values) {
        for (String v : values) {
            String b = b64(v);
            assertThat(text).as(what).doesNotContain(v, b, v.substring(0, 12), b.substring(0, 16));
        }
    }

    static Path file(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void anAgentCannotCopyOrMoveASecretValueIntoMetadata() throws Exception {
        ok(agent, "-n", "default", "create", "secret", "generic", "exfil", "--from-literal=password=" + VALUE,
                "--from-literal=bad=" + BAD_LABEL);
        String b = b64(VALUE);
        List<String[]> attempts = new ArrayList<>();
        String addAnnotations = "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{}},";
        String addLabels = "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{}},";
        for (String dryRun : new String[]{"--dry-run=server", "--dry-run=none"}) {
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=json", dryRun, "-o", "json", "-p",
                    "[" + addAnnotations + "{\"op\":\"copy\",\"from\":\"/data/password\",\"path\":\"/metadata/annotations/leak\"}]"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=json", dryRun, "-o", "yaml", "-p",
                    "[" + addLabels + "{\"op\":\"copy\",\"from\":\"/data/password\",\"path\":\"/metadata/labels/leak\"}]"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=json", dryRun, "-o", "json", "-p",
                    "[" + addLabels + "{\"op\":\"move\",\"from\":\"/data/password\",\"path\":\"/metadata/labels/leak\"}]"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=json", dryRun, "-o", "json", "-p",
                    "[" + addAnnotations + "{\"op\":\"move\",\"from\":\"/data/password\",\"path\":\"/metadata/annotations/leak\"}]"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=merge", dryRun, "-o", "json", "-p",
                    "{\"metadata\":{\"annotations\":{\"leak\":\"" + b + "\"}}}"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=strategic", dryRun, "-o", "json", "-p",
                    "{\"metadata\":{\"labels\":{\"leak\":\"" + b + "\"}}}"});
            attempts.add(new String[]{"patch", "secret", "exfil", "--type=merge", dryRun, "-o", "json", "-p",
                    "{\"metadata\":{\"annotations\":{\"decoded\":\"pw=" + VALUE + "\"}}}"});
            Path manifest = file("apply.yaml", """
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: exfil, namespace: default, annotations: {leak: %s}}
                    """.formatted(b));
            attempts.add(new String[]{"apply", "--server-side", "--force-conflicts", dryRun, "-o", "json", "-f", manifest.toString()});
            attempts.add(new String[]{"apply", dryRun, "-o", "json", "-f", manifest.toString()});
        }
        for (String[] a : attempts) {
            String[] full = Stream.concat(Stream.of("-n", "default"), Stream.of(a)).toArray(String[]::new);
            Kubectl.Result r = agent.run(full);
            String what = String.join(" ", a);
            assertThat(r.exitCode()).as(what + "\n" + r.stdout() + r.stderr()).isNotZero();
            assertThat(r.stderr()).as(what).contains("Secret values stay in data or stringData");
            if (!what.contains(b) && !what.contains(VALUE) && !what.contains("apply")) {
                // a copy or move: the agent never had the value (a merge patch or apply wrote it
                // itself, and kubectl echoes its own client-side apply patch)
                assertClean(what, r.stdout() + r.stderr(), VALUE);
            }
        }
        // The API server itself refuses a label that is not a valid label value, quoting it: withheld.
        Kubectl.Result invalid = agent.run("-n", "default", "patch", "secret", "exfil", "--type=json", "--dry-run=server", "-p",
                "[" + addLabels + "{\"op\":\"copy\",\"from\":\"/data/bad\",\"path\":\"/metadata/labels/leak\"}]");
        assertThat(invalid.exitCode()).isNotZero();
        assertThat(invalid.stderr()).contains("HTTP 422 Invalid").contains("its message is withheld");
        assertClean("invalid label", invalid.stdout() + invalid.stderr(), BAD_LABEL);

        // Nothing was stored: the Secret, as the admin sees it, is unchanged.
        JsonNode stored = JSON.readTree(ok(admin, "-n", "default", "get", "secret", "exfil", "-o", "json"));
        assertThat(stored.at("/data/password").asText()).isEqualTo(b);
        assertThat(stored.at("/metadata/labels").isMissingNode()).isTrue();
        assertThat(stored.at("/metadata/annotations").isMissingNode()).isTrue();
    }

    @Test
    void aValuePlantedInMetadataNeverReachesTheAgent() throws Exception {
        String b = b64(PLANTED);
        // Planted by the admin, directly: client-side apply (last-applied holds the whole Secret),
        // the value as a label, an annotation, inside an annotation and as an annotation key.
        Path manifest = file("planted.yaml", """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: planted
                  namespace: default
                  labels: {copied: %s, app: web}
                  annotations: {copied: %s, decoded: "pw=%s", %s: "key"}
                data: {password: %s}
                """.formatted(b, b, PLANTED, b, b));
        ok(admin, "apply", "-f", manifest.toString());
        assertThat(ok(admin, "-n", "default", "get", "secret", "planted", "-o", "json")).contains(b, PLANTED);

        try (Kubectl.Running watch = agent.start("-n", "default", "get", "secret", "planted", "-w", "-o", "json",
                "--output-watch-events", "--request-timeout=20s")) {
            String[][] reads = {
                    {"get", "secret", "planted", "-o", "yaml"},
                    {"get", "secret", "planted", "-o", "json", "--show-managed-fields"},
                    {"get", "secrets", "-o", "json"},
                    {"get", "secrets", "-o", "yaml"},
                    {"get", "secrets"},
                    {"get", "secrets", "--show-labels"},
                    {"get", "secret", "planted", "-L", "copied"},
                    {"get", "secret", "planted", "-o", "custom-columns=L:.metadata.labels,A:.metadata.annotations"},
                    {"get", "secret", "planted", "-o", "jsonpath={.metadata.annotations}"},
                    {"describe", "secret", "planted"},
                    {"get", "secret", "planted", "-o", "name"},
            };
            for (String[] a : reads) {
                String[] full = Stream.concat(Stream.of("-n", "default"), Stream.of(a)).toArray(String[]::new);
                assertClean(String.join(" ", a), ok(agent, full), PLANTED);
            }
            JsonNode seen = JSON.readTree(ok(agent, "-n", "default", "get", "secret", "planted", "-o", "json", "--show-managed-fields"));
            assertThat(seen.at("/metadata/labels/copied").asText()).isEqualTo("***");
            assertThat(seen.at("/metadata/labels/app").asText()).isEqualTo("web");
            assertThat(seen.at("/metadata/annotations/decoded").asText()).isEqualTo("***");
            assertThat(seen.at("/data/password").asText()).isEqualTo("Kioq");
            assertThat(seen.at("/metadata/managedFields").size()).isPositive();

            // a change while the agent watches: the event carries the Secret, masked
            ok(admin, "-n", "default", "annotate", "secret", "planted", "touched=yes");
            String events = watch.awaitStdout(s -> s.contains("touched"), Duration.ofSeconds(20));
            assertThat(events).contains("MODIFIED");
            assertClean("watch", events, PLANTED);
        }
    }

    @Test
    void mintedAndEchoedTokensAreMasked() throws Exception {
        ok(admin, "-n", "default", "create", "serviceaccount", "robot");
        Kubectl.Result minted = agent.run("-n", "default", "create", "token", "robot");
        if (minted.exitCode() == 0) {
            String got = minted.stdout().strip();
            assertThat(got).isEqualTo("***");
            assertThat(reviewedByTheApiServer(got).at("/status/authenticated").asBoolean()).isFalse();
        } else {
            // the default pack may hold or refuse minting; then no token is printed either
            assertThat(minted.stdout() + minted.stderr()).doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.");
        }
        // A real token (minted by the admin) echoed back by a TokenReview through kubegate: masked.
        String real = ok(admin, "-n", "default", "create", "token", "robot").strip();
        assertThat(reviewedByTheApiServer(real).at("/status/authenticated").asBoolean()).isTrue();
        Path review = file("review.json", "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + real + "\"}}");
        Kubectl.Result echoed = agent.run("create", "-f", review.toString(), "-o", "json");
        if (echoed.exitCode() == 0) {
            assertThat(JSON.readTree(echoed.stdout()).at("/spec/token").asText()).isEqualTo("***");
        }
        assertThat(echoed.stdout() + echoed.stderr()).doesNotContain(real, real.substring(real.length() - 20));
    }

    /**
     * The API server's refusal of kubegate's dry run quotes values: a JSON patch that copies a value
     * into metadata.name is refused with "the name of the object (<value>) does not match", a decode
     * error prints the fields around the bad one. The agent gets the refusal without any value it
     * may not see, and only for calls policy lets through at all.
     */
    @Test
    void refusalsOfTheDryRunQuoteNoValue() throws Exception {
        ok(admin, "-n", "default", "create", "secret", "generic", "quoted", "--from-literal=password=" + QUOTED,
                "--from-literal=user=" + QUOTED_SHORT);
        String copy = "[{\"op\":\"copy\",\"from\":\"/data/password\",\"path\":\"/metadata/name\"}]";
        Kubectl.Result named = agent.run("-n", "default", "patch", "secret", "quoted", "--type", "json", "-p", copy);
        assertThat(named.exitCode()).isNotZero();
        assertThat(named.stderr()).contains("BadRequest").contains("its message is withheld because the object holds values kubegate masks");
        assertClean("the name-mismatch error", named.stdout() + named.stderr(), QUOTED);
        // the decoder's context windows ("error found in #10 byte of ...|<10 bytes>|") would give a value piece by piece
        for (String field : List.of("/metadata/namespace", "/metadata/resourceVersion", "/kind", "/apiVersion", "/metadata/generation")) {
            Kubectl.Result r = agent.run("-n", "default", "patch", "secret", "quoted", "--type", "json", "-p",
                    copy.replace("/metadata/name", field));
            assertThat(r.exitCode()).as(field).isNotZero();
            assertClean("the error of a copy into " + field, r.stdout() + r.stderr(), QUOTED);
        }
        // a decode error shows the document around the bad field: the short value too
        Kubectl.Result decode = agent.run("-n", "default", "patch", "secret", "quoted", "--type", "merge", "-p", "{\"immutable\":\"x\"}");
        assertThat(decode.exitCode()).isNotZero();
        assertThat(decode.stderr()).doesNotContain(b64(QUOTED_SHORT)).doesNotContain("\"" + QUOTED_SHORT + "\"");
        assertClean("the decode error", decode.stdout() + decode.stderr(), QUOTED);

        // a ConfigMap value a key pattern masks: kept out of the error too
        ok(admin, "-n", "default", "create", "configmap", "tokens", "--from-literal=api_token=" + CM_TOKEN);
        Kubectl.Result cm = agent.run("-n", "default", "patch", "configmap", "tokens", "--type", "json", "-p",
                "[{\"op\":\"copy\",\"from\":\"/data/api_token\",\"path\":\"/metadata/name\"}]");
        assertThat(cm.exitCode()).isNotZero();
        assertThat(cm.stdout() + cm.stderr()).doesNotContain(CM_TOKEN).doesNotContain(CM_TOKEN.substring(0, 8)).contains("withheld");
        // ...and it may not be copied where it is not masked (an annotation every reader would see)
        Kubectl.Result annotated = agent.run("-n", "default", "patch", "configmap", "tokens", "--type", "json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{}},"
                        + "{\"op\":\"copy\",\"from\":\"/data/api_token\",\"path\":\"/metadata/annotations/x\"}]");
        assertThat(annotated.exitCode()).isNotZero();
        assertThat(annotated.stderr()).contains("Forbidden").contains("would hold a value kubegate masks in metadata.annotations.x");
        Kubectl.Result otherKey = agent.run("-n", "default", "patch", "configmap", "tokens", "--type", "json", "-p",
                "[{\"op\":\"copy\",\"from\":\"/data/api_token\",\"path\":\"/data/plaincopy\"}]");
        assertThat(otherKey.stderr()).contains("Forbidden").contains("would hold a value kubegate masks in data.plaincopy");
        assertThat(annotated.stdout() + annotated.stderr()).doesNotContain(CM_TOKEN);
        assertThat(ok(admin, "-n", "default", "get", "configmap", "tokens", "-o", "jsonpath={.metadata.annotations}")).doesNotContain(CM_TOKEN);

        // policy decides before any refusal is relayed: kubegate's own namespace is off limits
        admin.run("create", "namespace", "kubegate");
        ok(admin, "-n", "kubegate", "create", "secret", "generic", "upstream", "--from-literal=token=" + OWN_NS);
        Kubectl.Result own = agent.run("-n", "kubegate", "patch", "secret", "upstream", "--type", "json", "-p", copy.replace("password", "token"));
        assertThat(own.exitCode()).isNotZero();
        assertThat(own.stderr()).contains("Forbidden").doesNotContain("does not match");
        assertClean("a refusal in kubegate's namespace", own.stdout() + own.stderr(), OWN_NS);
        // kube-system's Secrets: not even a dry-run write (its answer is the Secret)
        Kubectl.Result ks = agent.run("-n", "kube-system", "patch", "secret", "any", "--dry-run=server", "--type", "merge", "-p", "{}");
        assertThat(ks.stderr()).contains("Forbidden").contains("Secrets in namespace \"kube-system\" cannot be read or written through kubegate");
        // and nothing changed
        assertThat(ok(admin, "-n", "default", "get", "secret", "quoted", "-o", "jsonpath={.data.password}")).isEqualTo(b64(QUOTED));
    }

    static JsonNode reviewedByTheApiServer(String token) throws Exception {
        Path review = file("review-" + UUID.randomUUID() + ".json",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}");
        return JSON.readTree(ok(admin, "create", "-f", review.toString(), "-o", "json"));
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it also checks the files for the values of the other tests
    void approvalsWebhooksAndTheAuditTrailHoldNoValue() throws Exception {
        // prod is a production namespace: writes there wait for approval (and are refused after 1s).
        ok(admin, "create", "namespace", "prod");
        ok(admin, "-n", "prod", "create", "secret", "generic", "current", "--from-literal=password=" + CURRENT);
        Kubectl.Result create = agent.run("-n", "prod", "create", "secret", "generic", "held",
                "--from-literal=password=" + HELD);
        assertThat(create.exitCode()).isNotZero();
        assertThat(create.stderr()).contains("approval");
        Kubectl.Result patch = agent.run("-n", "prod", "patch", "secret", "current", "--type=merge",
                "-p", "{\"stringData\":{\"other\":\"" + HELD + "\",\"password\":\"" + HELD + "\"}}");
        assertThat(patch.exitCode()).isNotZero();
        assertThat(patch.stderr()).contains("approval");

        HttpClient http = gateway.httpClient();
        HttpResponse<String> approvals = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/v1/approvals"))
                .header("Authorization", "Bearer " + APPROVER).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(approvals.statusCode()).as(approvals.body()).isEqualTo(200);
        JsonNode items = JSON.readTree(approvals.body()).path("items");
        assertThat(items.size()).isGreaterThanOrEqualTo(2);
        // the diffs show what changes, masked
        assertThat(approvals.body()).contains("{\\\"password\\\":\\\"Kioq\\\"}", "/data/other");
        // a replaced value shows as changed, never how
        assertThat(approvals.body()).contains("\"path\":\"/data/password\"", "*** (changed)");
        assertClean("approvals API", approvals.body(), HELD, CURRENT);
        for (JsonNode item : items) {
            HttpResponse<String> one = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/v1/approvals/"
                            + item.path("id").asText())).header("Authorization", "Bearer " + APPROVER).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertClean("approval " + item.path("id").asText(), one.body(), HELD, CURRENT);
        }
        assertThat(hooks).isNotEmpty();
        assertClean("webhooks", String.join("\n", hooks), HELD, CURRENT);

        // Every file kubegate wrote (audit segments, state store, log) is free of every value.
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir.resolve("gateway"))) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anySatisfy(f -> assertThat(f.toString()).endsWith(".jsonl"));
        boolean sawCreate = false;
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            sawCreate |= text.contains("\"held\"");
            assertClean(f.toString(), text, HELD, CURRENT, VALUE, PLANTED, BAD_LABEL, QUOTED, OWN_NS, CM_TOKEN);
        }
        assertThat(sawCreate).as("the audit trail recorded the create of Secret held").isTrue();
    }
}
