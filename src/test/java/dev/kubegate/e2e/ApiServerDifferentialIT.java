package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kubegate judges exactly the call the real kube-apiserver executes. Two gateways on one real API server:
 * <ul>
 *   <li>an <b>echo</b> gateway whose test policy allows everything and writes what it judged (verb,
 *       namespace, name, dryRun, options, the object's data) into the decision's reasons, kept by the
 *       audit record; each form of write in {@link #FORMS} is sent by its own agent, and what the
 *       policy judged is compared with what the API server did, read with the admin credential;</li>
 *   <li>a gateway with the <b>default pack</b> and approvers: the reported exploits (a "dry-run"
 *       namespace delete with a body, a grant replayed as another patch type), kubectl's bodies
 *       without Content-Type, and writes made conditional on the judged state (409 on a change).</li>
 * </ul>
 */
class ApiServerDifferentialIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String AGENT = "agent-" + UUID.randomUUID();
    static final String APPROVER = "approver-" + UUID.randomUUID();
    static final String AUDITOR = "auditor-" + UUID.randomUUID();

    static RealKubeApiServer apiserver;
    static GatewayProcess echo;
    static GatewayProcess pack;
    static HttpClient echoHttp;
    static HttpClient packHttp;
    static HttpClient adminHttp;
    static String adminUrl;
    static String adminToken;
    static Kubectl agentKubectl;
    static Path dir;

    /** What the API server did to the form's target. */
    enum Effect { NONE, CREATED, CHANGED, DELETED, TOKEN_ISSUED, EVALUATED }

    /**
     * One form of write.
     *
     * @param target      the object whose state tells what the API server did (relative to the row's namespace)
     * @param judgedDryRun what kubegate must have judged; null when kubegate itself refuses before policy
     * @param judgedName  the name policy must have judged the call to act on
     */
    record Form(String id, String method, String path, String query, String contentType, byte[] body, String target,
                Effect effect, Boolean judgedDryRun, String judgedVerb, String judgedName) {
        @Override
        public String toString() {
            return id + ": " + method + " " + path + (query.isEmpty() ? "" : "?" + query) + " [" + (contentType == null ? "no Content-Type" : contentType)
                    + "] " + (body == null ? "no body" : new String(body, StandardCharsets.UTF_8).replaceAll("[^\\x20-\\x7e]", "."));
        }
    }

    static final String CM = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\"},\"data\":{\"a\":\"%s\"}}";
    static final String CM_YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  a: \"%s\"\n";
    static final String POD = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";

    static Form form(String id, String method, String path, String query, String contentType, String body, String target,
                     Effect effect, Boolean judgedDryRun, String judgedVerb, String judgedName) {
        return new Form(id, method, path, query, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), target,
                effect, judgedDryRun, judgedVerb, judgedName);
    }

    /**
     * The table: every verb, body or none, options in the query or the body, every content type
     * (none included) and the query forms a naive reader gets wrong. {@code $ns} is the row's namespace.
     * Fixtures in every namespace: ConfigMap {@code c} (label {@code sel=x}), ServiceAccount {@code sa},
     * Pod {@code p} (not scheduled). (New objects are named "fresh": in the API server's YAML 1.1,
     * a bare {@code n} is the boolean false.)
     */
    static final List<Form> FORMS = List.of(
            // create: options only ever in the query
            form("create-json", "POST", "/api/v1/namespaces/$ns/configmaps", "", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            form("create-dry", "POST", "/api/v1/namespaces/$ns/configmaps", "dryRun=All", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, true, "create", "fresh"),
            form("create-dry-invalid-second", "POST", "/api/v1/namespaces/$ns/configmaps", "dryRun=All&dryRun=x", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, false, "create", "fresh"),
            form("create-dry-escaped-name", "POST", "/api/v1/namespaces/$ns/configmaps", "dry%52un=All", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, true, "create", "fresh"),
            form("create-dryrun-lowercase-name", "POST", "/api/v1/namespaces/$ns/configmaps", "dryrun=All", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            form("create-dry-lowercase-value", "POST", "/api/v1/namespaces/$ns/configmaps", "dryRun=all", "application/json", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, false, "create", "fresh"),
            form("create-no-content-type", "POST", "/api/v1/namespaces/$ns/configmaps", "", null, CM.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            form("create-json-charset", "POST", "/api/v1/namespaces/$ns/configmaps", "", "Application/JSON; charset=utf-8", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            form("create-yaml", "POST", "/api/v1/namespaces/$ns/configmaps", "", "application/yaml", CM_YAML.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            form("create-yaml-dry", "POST", "/api/v1/namespaces/$ns/configmaps", "dryRun=All", "application/yaml", CM_YAML.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, true, "create", "fresh"),
            new Form("create-protobuf", "POST", "/api/v1/namespaces/$ns/configmaps", "", "application/vnd.kubernetes.protobuf", protobufConfigMap("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "create", "fresh"),
            new Form("create-protobuf-dry", "POST", "/api/v1/namespaces/$ns/configmaps", "dryRun=All", "application/vnd.kubernetes.protobuf", protobufConfigMap("fresh", "1"), "configmaps/fresh", Effect.NONE, true, "create", "fresh"),
            form("create-text-plain", "POST", "/api/v1/namespaces/$ns/configmaps", "", "text/plain", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, null, null, null),
            form("create-bad-parameter", "POST", "/api/v1/namespaces/$ns/configmaps", "", "application/json; x", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.NONE, null, null, null),
            // update
            form("update-json", "PUT", "/api/v1/namespaces/$ns/configmaps/c", "", "application/json", CM.formatted("c", "2"), "configmaps/c", Effect.CHANGED, false, "update", "c"),
            form("update-dry", "PUT", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", "application/json", CM.formatted("c", "2"), "configmaps/c", Effect.NONE, true, "update", "c"),
            form("update-no-content-type", "PUT", "/api/v1/namespaces/$ns/configmaps/c", "", null, CM.formatted("c", "2"), "configmaps/c", Effect.CHANGED, false, "update", "c"),
            form("update-yaml", "PUT", "/api/v1/namespaces/$ns/configmaps/c", "", "application/yaml", CM_YAML.formatted("c", "2"), "configmaps/c", Effect.CHANGED, false, "update", "c"),
            // patch, four types
            form("patch-merge", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "", "application/merge-patch+json", "{\"data\":{\"a\":\"2\"}}", "configmaps/c", Effect.CHANGED, false, "patch", "c"),
            form("patch-merge-dry", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", "application/merge-patch+json", "{\"data\":{\"a\":\"2\"}}", "configmaps/c", Effect.NONE, true, "patch", "c"),
            form("patch-strategic", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "", "application/strategic-merge-patch+json; charset=utf-8", "{\"data\":{\"a\":\"2\"}}", "configmaps/c", Effect.CHANGED, false, "patch", "c"),
            form("patch-json", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "", "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"}]", "configmaps/c", Effect.CHANGED, false, "patch", "c"),
            form("patch-apply", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "fieldManager=agent&force=true", "application/apply-patch+yaml", CM.formatted("c", "2"), "configmaps/c", Effect.CHANGED, false, "patch", "c"),
            form("patch-apply-dry", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "fieldManager=agent&force=true&dryRun=All", "application/apply-patch+yaml", CM.formatted("c", "2"), "configmaps/c", Effect.NONE, true, "patch", "c"),
            form("patch-apply-creates", "PATCH", "/api/v1/namespaces/$ns/configmaps/fresh", "fieldManager=agent", "application/apply-patch+yaml", CM.formatted("fresh", "1"), "configmaps/fresh", Effect.CREATED, false, "patch", "fresh"),
            form("patch-no-content-type", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "", null, "{\"data\":{\"a\":\"2\"}}", "configmaps/c", Effect.NONE, null, null, null),
            form("patch-space-before-semicolon", "PATCH", "/api/v1/namespaces/$ns/configmaps/c", "", "application/merge-patch+json ;charset=utf-8", "{\"data\":{\"a\":\"2\"}}", "configmaps/c", Effect.NONE, null, null, null),
            // delete: the body, when it has a byte, silences the query
            form("delete", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "", null, null, "configmaps/c", Effect.DELETED, false, "delete", "c"),
            form("delete-dry-query", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", null, null, "configmaps/c", Effect.NONE, true, "delete", "c"),
            form("delete-dry-query-empty-body", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", "application/json", "{}", "configmaps/c", Effect.DELETED, false, "delete", "c"),
            form("delete-dry-query-options-body", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", null, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"}", "configmaps/c", Effect.DELETED, false, "delete", "c"),
            form("delete-dry-body", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "", "application/json", "{\"dryRun\":[\"All\"]}", "configmaps/c", Effect.NONE, true, "delete", "c"),
            form("delete-dry-body-no-content-type", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "", null, "{\"dryRun\":[\"All\"]}", "configmaps/c", Effect.NONE, true, "delete", "c"),
            form("delete-dry-body-yaml", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "", "application/yaml", "dryRun: [All]\n", "configmaps/c", Effect.NONE, false, "delete", "c"),
            form("delete-dry-query-yaml-body", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", "application/yaml", "kind: DeleteOptions\napiVersion: v1\n", "configmaps/c", Effect.DELETED, false, "delete", "c"),
            new Form("delete-dry-query-protobuf-body", "DELETE", "/api/v1/namespaces/$ns/configmaps/c", "dryRun=All", "application/vnd.kubernetes.protobuf", protobufDeleteOptions(), "configmaps/c", Effect.DELETED, false, "delete", "c"),
            form("delete-namespace-dry-query-empty-body", "DELETE", "/api/v1/namespaces/$ns", "dryRun=All", "application/json", "{}", "", Effect.DELETED, false, "delete", "$ns"),
            form("delete-namespace-dry-query", "DELETE", "/api/v1/namespaces/$ns", "dryRun=All", null, null, "", Effect.NONE, true, "delete", "$ns"),
            // deletecollection: list options from the query, delete options body-or-query
            form("deletecollection-dry-query", "DELETE", "/api/v1/namespaces/$ns/configmaps", "labelSelector=sel%3Dx&dryRun=All", null, null, "configmaps/c", Effect.NONE, true, "deletecollection", ""),
            form("deletecollection-dry-query-empty-body", "DELETE", "/api/v1/namespaces/$ns/configmaps", "labelSelector=sel%3Dx&dryRun=All", "application/json", "{}", "configmaps/c", Effect.DELETED, false, "deletecollection", ""),
            form("deletecollection", "DELETE", "/api/v1/namespaces/$ns/configmaps", "labelSelector=sel%3Dx", null, null, "configmaps/c", Effect.DELETED, false, "deletecollection", ""),
            // subresources whose handlers ignore dryRun, or read it from the body
            form("token-dry", "POST", "/api/v1/namespaces/$ns/serviceaccounts/sa/token", "dryRun=All", "application/json",
                    "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"audiences\":[\"https://kubernetes.default.svc\"],\"expirationSeconds\":600}}",
                    "", Effect.TOKEN_ISSUED, false, "create", "sa"),
            form("selfsubjectaccessreview-dry", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "dryRun=All", "application/json",
                    "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}",
                    "", Effect.EVALUATED, false, "create", ""),
            form("eviction-dry-query", "POST", "/api/v1/namespaces/$ns/pods/p/eviction", "dryRun=All", "application/json",
                    "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}", "pods/p", Effect.NONE, true, "create", "p"),
            form("eviction-dry-body", "POST", "/api/v1/namespaces/$ns/pods/p/eviction", "", "application/json",
                    "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"},\"deleteOptions\":{\"dryRun\":[\"All\"]}}", "pods/p", Effect.NONE, true, "create", "p"),
            form("eviction", "POST", "/api/v1/namespaces/$ns/pods/p/eviction", "", "application/json",
                    "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}", "pods/p", Effect.DELETED, false, "create", "p"),
            form("bindings-names-the-pod-in-the-body", "POST", "/api/v1/namespaces/$ns/bindings", "", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}", "pods/p", Effect.CHANGED, false, "create", "p"),
            form("bindings-dry", "POST", "/api/v1/namespaces/$ns/bindings", "dryRun=All", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}", "pods/p", Effect.NONE, true, "create", "p"),
            form("pod-binding", "POST", "/api/v1/namespaces/$ns/pods/p/binding", "", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}", "pods/p", Effect.CHANGED, false, "create", "p"));

    /** The echo policy: allows everything and reports what it judged. */
    static final String ECHO_POLICY = """
            package kubegate

            judged := {
            	"verb": input.request.verb,
            	"namespace": input.request.namespace,
            	"name": input.request.name,
            	"objectName": object.get(input, ["object", "metadata", "name"], ""),
            	"data": object.get(input, ["object", "data"], null),
            	"dryRun": input.request.dryRun,
            	"options": input.request.options,
            }

            decision := {
            	"allow": true,
            	"reasons": [json.marshal(judged)],
            	"approval": {"required": false, "reason": "", "approverGroups": [], "ttl": ""},
            	"mask": {"secrets": false},
            	"audit": {"level": "Request"},
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", "the API server differential tests");
        dir = Files.createTempDirectory("kubegate-differential");
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        Path apiDir = dir.resolve("apiserver");
        adminUrl = "https://127.0.0.1:" + Files.readString(apiDir.resolve("port")).strip();
        adminToken = Files.readString(apiDir.resolve("admin.token")).strip();
        adminHttp = trusting(apiDir.resolve("ca.crt"));

        StringBuilder agents = new StringBuilder(AGENT + ",alice,alice-uid,\"agents\"\n");
        for (Form f : FORMS) {
            agents.append("row-").append(f.id()).append(",row-").append(f.id()).append(",uid-").append(f.id()).append(",\"agents\"\n");
        }
        Path agentsFile = dir.resolve("agents.csv");
        Files.writeString(agentsFile, agents);
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, APPROVER + ",bob,bob-uid,\"kubegate-approvers\"\n" + AUDITOR + ",root,root-uid,\"admins\"\n");

        Path rego = Files.createDirectories(dir.resolve("echo-rego"));
        Files.writeString(rego.resolve("echo.rego"), ECHO_POLICY);
        Path bundle = dir.resolve("echo.tar.gz");
        Process build = new ProcessBuilder("bash", "src/main/sh/opa.sh", "build", "--v1-compatible", "-t", "wasm",
                "-e", "kubegate/decision", "-o", bundle.toString(), rego.toString()).inheritIO().start();
        assertThat(build.waitFor(120, TimeUnit.SECONDS) && build.exitValue() == 0).as("opa build of the echo policy").isTrue();

        echo = GatewayProcess.start(dir.resolve("echo"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", agentsFile.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.policy.bundle", bundle.toString()));
        pack = GatewayProcess.start(dir.resolve("pack"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", agentsFile.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approval.wait", "60s"));
        echo.awaitReady();
        pack.awaitReady();
        echoHttp = echo.httpClient();
        packHttp = pack.httpClient();
        agentKubectl = new Kubectl(pack.kubeconfig(dir.resolve("agent.kubeconfig"), AGENT));
    }

    @AfterAll
    static void stop() {
        if (echo != null) echo.close();
        if (pack != null) pack.close();
        if (apiserver != null) apiserver.close();
    }

    // --- 1. The differential table ------------------------------------------------------------

    @Test
    void whatKubegateJudgedIsWhatTheApiServerDid() throws Exception {
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (Form f : FORMS) {
            String ns = "d" + (i++) + "-" + UUID.randomUUID().toString().substring(0, 6);
            try {
                check(f, ns);
            } catch (AssertionError | Exception e) {
                failures.add(f + "\n    " + e.getMessage().replace("\n", "\n    "));
            }
        }
        assertThat(failures).as("forms where kubegate judged something else than the API server did").isEmpty();
    }

    private void check(Form f, String ns) throws Exception {
        admin("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}", 201);
        admin("POST", "/api/v1/namespaces/" + ns + "/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"labels\":{\"sel\":\"x\"}},\"data\":{\"a\":\"1\"}}", 201);
        admin("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"sa\"}}", 201);
        admin("POST", "/api/v1/namespaces/" + ns + "/pods", POD, 201);
        String targetPath = f.target().isEmpty() ? "/api/v1/namespaces/" + ns : "/api/v1/namespaces/" + ns + "/" + f.target();
        JsonNode before = adminGet(targetPath);

        String uri = echo.url() + f.path().replace("$ns", ns) + (f.query().isEmpty() ? "" : "?" + f.query());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer row-" + f.id())
                .method(f.method(), f.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(f.body()));
        if (f.contentType() != null) b.header("Content-Type", f.contentType());
        HttpResponse<String> resp = echoHttp.send(b.build(), HttpResponse.BodyHandlers.ofString());

        JsonNode after = adminGet(targetPath);
        Effect effect = effect(f, before, after, resp);
        JsonNode judged = judged(f.id());
        String what = "HTTP " + resp.statusCode() + " " + abbreviate(resp.body()) + "; judged " + judged;

        // The properties: a call judged a dry run persisted nothing; every effect was judged as that effect.
        if (judged != null && judged.path("dryRun").asBoolean()) {
            assertThat(effect).as("judged a dry run, yet the API server did something; " + what).isEqualTo(Effect.NONE);
        }
        if (effect != Effect.NONE) {
            assertThat(judged).as("the API server acted on a call policy never judged; " + what).isNotNull();
            assertThat(judged.path("dryRun").asBoolean()).as("the API server applied a call judged as a dry run; " + what).isFalse();
            assertThat(judged.path("verb").asText()).as(what).isEqualTo(f.judgedVerb());
            String name = judged.path("name").asText().isEmpty() ? judged.path("objectName").asText() : judged.path("name").asText();
            assertThat(name).as("the object policy judged; " + what).isEqualTo(f.judgedName().replace("$ns", ns));
            if (f.target().startsWith("configmaps/") && (effect == Effect.CREATED || effect == Effect.CHANGED)) {
                assertThat(judged.path("data")).as("the object policy judged is the object stored; " + what).isEqualTo(after.path("data"));
            }
        }
        // The table itself: what the API server does with this form, and what kubegate judges.
        assertThat(effect).as("the API server's effect; " + what).isEqualTo(f.effect());
        if (f.judgedDryRun() == null) {
            assertThat(judged).as("kubegate refuses this form itself, like the API server; " + what).isNull();
            assertThat(resp.statusCode()).as(what).isEqualTo(415);
        } else {
            assertThat(judged).as(what).isNotNull();
            assertThat(judged.path("dryRun").asBoolean()).as("judged dry run; " + what).isEqualTo(f.judgedDryRun());
            if (!f.judgedName().isEmpty()) {
                String name = judged.path("name").asText().isEmpty() ? judged.path("objectName").asText() : judged.path("name").asText();
                assertThat(name).as(what).isEqualTo(f.judgedName().replace("$ns", ns));
            }
        }
    }

    private static Effect effect(Form f, JsonNode before, JsonNode after, HttpResponse<String> resp) throws Exception {
        if (f.id().startsWith("token")) {
            return resp.statusCode() == 201 && !JSON.readTree(resp.body()).path("status").path("token").asText().isEmpty()
                    ? Effect.TOKEN_ISSUED : Effect.NONE;
        }
        if (f.id().startsWith("selfsubject")) {
            return resp.statusCode() == 201 && JSON.readTree(resp.body()).path("status").has("allowed") ? Effect.EVALUATED : Effect.NONE;
        }
        boolean existed = before != null && !before.path("metadata").has("deletionTimestamp");
        boolean exists = after != null && !after.path("metadata").has("deletionTimestamp");
        if (!existed && exists) return Effect.CREATED;
        if (existed && !exists) return Effect.DELETED;
        if (existed && !before.path("metadata").path("resourceVersion").equals(after.path("metadata").path("resourceVersion"))) {
            return Effect.CHANGED;
        }
        return Effect.NONE;
    }

    /** What the echo policy judged for this form's agent (its only call), or null when no policy ran. */
    private static JsonNode judged(String id) throws Exception {
        JsonNode[] found = {null};
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = echoHttp.send(HttpRequest.newBuilder(URI.create(echo.url()
                            + "/kubegate/v1/audit/events?principal=row-" + id + "&limit=100"))
                    .header("Authorization", "Bearer " + AUDITOR).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode e : JSON.readTree(r.body()).path("items")) {
                if ("call".equals(e.path("type").asText())) {
                    JsonNode reasons = e.path("decision").path("reasons");
                    found[0] = reasons.isEmpty() ? JSON.nullNode() : JSON.readTree(reasons.get(0).asText());
                    return true;
                }
            }
            return false;
        });
        return found[0].isNull() ? null : found[0];
    }

    // --- 2. kubectl's bodies without Content-Type ---------------------------------------------

    @Test
    void kubectlCreateAndReplaceRawWorkAndAreJudged() throws Exception {
        Path cm = dir.resolve("raw-cm.json");
        Files.writeString(cm, CM.formatted("raw", "1"));
        agentKubectl.run("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", cm.toString()).assertSuccess();
        assertThat(adminGet("/api/v1/namespaces/default/configmaps/raw").path("data").path("a").asText()).isEqualTo("1");
        Files.writeString(cm, CM.formatted("raw", "2"));
        agentKubectl.run("replace", "--raw", "/api/v1/namespaces/default/configmaps/raw", "-f", cm.toString()).assertSuccess();
        assertThat(adminGet("/api/v1/namespaces/default/configmaps/raw").path("data").path("a").asText()).isEqualTo("2");

        Path pod = dir.resolve("raw-pod.json");
        Files.writeString(pod, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"raw-priv\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}");
        Kubectl.Result refused = agentKubectl.run("create", "--raw", "/api/v1/namespaces/default/pods", "-f", pod.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("privileged containers are not allowed");
        assertThat(adminGet("/api/v1/namespaces/default/pods/raw-priv")).isNull();
    }

    // --- 3. The reported exploit: a "dry-run" namespace delete with a body ----------------------

    @Test
    void aNamespaceDeleteWithADryRunQueryAndABodyAsksForApprovalAndTheNamespaceSurvives() throws Exception {
        for (String body : new String[] {"{}", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"}"}) {
            String ns = "victim-" + UUID.randomUUID().toString().substring(0, 6);
            admin("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}", 201);
            CompletableFuture<HttpResponse<String>> call = agent("DELETE", "/api/v1/namespaces/" + ns + "?dryRun=All", "application/json", body);
            JsonNode pending = pendingApproval(r -> ns.equals(r.path("request").path("name").asText()));
            assertThat(pending.path("reasons").toString()).contains("deleting a namespace");
            decide(pending.path("id").asText(), "deny", "{\"reason\":\"not a dry run\"}");
            HttpResponse<String> resp = call.get(30, TimeUnit.SECONDS);
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(403);
            JsonNode survived = adminGet("/api/v1/namespaces/" + ns);
            assertThat(survived).isNotNull();
            assertThat(survived.path("metadata").has("deletionTimestamp")).as("namespace %s is being deleted", ns).isFalse();
        }
        // A real dry run (no body) is still allowed without approval, and deletes nothing.
        String ns = "dry-" + UUID.randomUUID().toString().substring(0, 6);
        admin("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}", 201);
        HttpResponse<String> dry = agent("DELETE", "/api/v1/namespaces/" + ns + "?dryRun=All", null, null).get(30, TimeUnit.SECONDS);
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(adminGet("/api/v1/namespaces/" + ns).path("metadata").has("deletionTimestamp")).isFalse();
    }

    // --- Class 6: a grant covers one operation, not the same bytes as another patch type --------

    @Test
    void aGrantForAStrategicMergePatchDoesNotCoverTheSameBodyAsAMergePatch() throws Exception {
        String name = "replay-" + UUID.randomUUID().toString().substring(0, 6);
        admin("POST", "/api/v1/namespaces/kube-public/configmaps", CM.formatted(name, "1"), 201);
        String path = "/api/v1/namespaces/kube-public/configmaps/" + name;
        String patch = "{\"data\":{\"a\":\"2\"}}";
        CompletableFuture<HttpResponse<String>> first = agent("PATCH", path, "application/strategic-merge-patch+json", patch);
        JsonNode granted = pendingApproval(r -> name.equals(r.path("request").path("name").asText()));
        decide(granted.path("id").asText(), "approve", "{}");
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // The same call again is covered by the grant (ttl 15m) ...
        assertThat(agent("PATCH", path, "application/strategic-merge-patch+json; charset=utf-8", patch).get(30, TimeUnit.SECONDS).statusCode())
                .isEqualTo(200);
        // ... the same bytes as a merge patch are another operation: a new approval request.
        CompletableFuture<HttpResponse<String>> replay = agent("PATCH", path, "application/merge-patch+json", patch);
        JsonNode asked = pendingApproval(r -> name.equals(r.path("request").path("name").asText()));
        assertThat(asked.path("id").asText()).isNotEqualTo(granted.path("id").asText());
        decide(asked.path("id").asText(), "deny", "{\"reason\":\"replay\"}");
        HttpResponse<String> refused = replay.get(30, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("denied");
    }

    // --- Class 8: the real write applies only to the state policy judged -----------------------

    /** A write needing approval in kube-public; while it waits, the object changes; once approved it fails with 409. */
    @Test
    void aChangeBetweenJudgementAndForwardMakesTheWriteFailWith409() throws Exception {
        record Write(String method, String contentType, String query, String body) {
        }
        List<Write> writes = List.of(
                new Write("PUT", null, "", CM.formatted("$name", "agent")),
                new Write("PATCH", "application/merge-patch+json", "", "{\"data\":{\"a\":\"agent\"}}"),
                new Write("PATCH", "application/strategic-merge-patch+json", "", "{\"data\":{\"a\":\"agent\"}}"),
                new Write("PATCH", "application/json-patch+json", "", "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"agent\"}]"),
                new Write("PATCH", "application/apply-patch+yaml", "fieldManager=agent&force=true", CM.formatted("$name", "agent")),
                new Write("DELETE", null, "gracePeriodSeconds=0", null),
                new Write("DELETE", "application/json", "", "{\"propagationPolicy\":\"Background\"}"));
        Map<Write, String> outcomes = new LinkedHashMap<>();
        for (Write w : writes) {
            String name = "cond-" + UUID.randomUUID().toString().substring(0, 6);
            admin("POST", "/api/v1/namespaces/kube-public/configmaps", CM.formatted(name, "1"), 201);
            String path = "/api/v1/namespaces/kube-public/configmaps/" + name;
            CompletableFuture<HttpResponse<String>> call = agent(w.method(), path + (w.query().isEmpty() ? "" : "?" + w.query()),
                    w.contentType(), w.body() == null ? null : w.body().replace("$name", name));
            JsonNode pending = pendingApproval(r -> name.equals(r.path("request").path("name").asText()));
            // Someone else changes the object while the call waits for its approver.
            admin("PATCH", path, "{\"metadata\":{\"labels\":{\"changed\":\"meanwhile\"}}}", 200, "application/merge-patch+json");
            decide(pending.path("id").asText(), "approve", "{}");
            HttpResponse<String> resp = call.get(30, TimeUnit.SECONDS);
            JsonNode now = adminGet(path);
            outcomes.put(w, resp.statusCode() + " " + abbreviate(resp.body()));
            assertThat(resp.statusCode()).as(w + " -> " + resp.body()).isEqualTo(409);
            assertThat(now).as(w + ": the object survives").isNotNull();
            assertThat(now.path("data").path("a").asText()).as(w + ": not applied").isEqualTo("1");
            assertThat(now.path("metadata").path("labels").path("changed").asText()).isEqualTo("meanwhile");
        }
        assertThat(outcomes).hasSize(writes.size());
        // Without a concurrent change, the same conditional write goes through.
        String name = "cond-ok-" + UUID.randomUUID().toString().substring(0, 6);
        admin("POST", "/api/v1/namespaces/default/configmaps", CM.formatted(name, "1"), 201);
        HttpResponse<String> ok = agent("PUT", "/api/v1/namespaces/default/configmaps/" + name, null, CM.formatted(name, "2")).get(30, TimeUnit.SECONDS);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        HttpResponse<String> deleted = agent("DELETE", "/api/v1/namespaces/default/configmaps/" + name, null, null).get(30, TimeUnit.SECONDS);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(adminGet("/api/v1/namespaces/default/configmaps/" + name)).isNull();
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static CompletableFuture<HttpResponse<String>> agent(String method, String pathAndQuery, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pack.url() + pathAndQuery)).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + AGENT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return packHttp.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode pendingApproval(Function<JsonNode, Boolean> matches) {
        JsonNode[] found = {null};
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = packHttp.send(HttpRequest.newBuilder(URI.create(pack.url() + "/kubegate/v1/approvals?status=pending"))
                    .header("Authorization", "Bearer " + APPROVER).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode item : JSON.readTree(r.body()).path("items")) {
                if (matches.apply(item)) {
                    found[0] = item;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static void decide(String id, String action, String body) throws Exception {
        HttpResponse<String> r = packHttp.send(HttpRequest.newBuilder(URI.create(pack.url() + "/kubegate/v1/approvals/" + id + "/" + action))
                .header("Authorization", "Bearer " + APPROVER).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void admin(String method, String path, String body, int expected) throws Exception {
        admin(method, path, body, expected, "application/json");
    }

    private static void admin(String method, String path, String body, int expected, String contentType) throws Exception {
        HttpResponse<String> r = adminHttp.send(HttpRequest.newBuilder(URI.create(adminUrl + path))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
    }

    /** The object as the API server has it (read with the admin credential), or null when it does not exist. */
    private static JsonNode adminGet(String path) throws Exception {
        HttpResponse<String> r = adminHttp.send(HttpRequest.newBuilder(URI.create(adminUrl + path))
                .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) return null;
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static HttpClient trusting(Path ca) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    // --- Kubernetes protobuf, hand-encoded (k8s\0 + runtime.Unknown{typeMeta, raw}) --------------

    static byte[] protobufConfigMap(String name, String value) {
        byte[] meta = field(1, str(name)); // ObjectMeta.name
        byte[] entry = concat(field(1, str("a")), field(2, str(value))); // data map entry
        byte[] configMap = concat(field(1, meta), field(2, entry));
        return envelope("v1", "ConfigMap", configMap);
    }

    static byte[] protobufDeleteOptions() {
        return envelope("v1", "DeleteOptions", new byte[0]);
    }

    private static byte[] envelope(String apiVersion, String kind, byte[] raw) {
        byte[] typeMeta = concat(field(1, str(apiVersion)), field(2, str(kind)));
        return concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta), field(2, raw));
    }

    private static byte[] str(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (number << 3) | 2);
        varint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
