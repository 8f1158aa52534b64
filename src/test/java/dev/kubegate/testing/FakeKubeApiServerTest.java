package dev.kubegate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The test double, exercised with the real kubectl (and a few raw HTTP calls for what kubectl
 * does not show). One HTTP/2 server is shared by the tests, which use distinct object names; an
 * HTTP/1.1-only server checks the parts that differ per protocol (stream cancellation, upgrades).
 */
class FakeKubeApiServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static FakeKubeApiServer server;
    static FakeKubeApiServer http1;
    static Kubectl kubectl;
    static Kubectl kubectlHttp1;
    static HttpClient http;

    @BeforeAll
    static void start() {
        server = FakeKubeApiServer.start(FakeKubeApiServer.Options.builder()
                .bookmarkInterval(Duration.ofMillis(100))
                .deny(a -> "mallory".equals(a.user()) || "delete".equals(a.verb()) && "nodes".equals(a.resource()))
                .build());
        http1 = FakeKubeApiServer.start(FakeKubeApiServer.Options.builder().http2(false).build());
        kubectl = new Kubectl(server.writeKubeconfig(dir.resolve("h2/kubeconfig")));
        kubectlHttp1 = new Kubectl(http1.writeKubeconfig(dir.resolve("h1/kubeconfig")));
        http = HttpClient.newBuilder().sslContext(server.clientSslContext()).version(HttpClient.Version.HTTP_2).build();
        for (FakeKubeApiServer s : List.of(server, http1)) {
            s.putObject(pod("shell", "main"));
            s.putObject(pod("twins", "app", "sidecar"));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        http1.close();
    }

    static String pod(String name, String... containers) {
        String cs = Stream.of(containers).map(c -> "{\"name\":\"" + c + "\",\"image\":\"busybox:1\"}").collect(Collectors.joining(","));
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},"
                + "\"spec\":{\"containers\":[" + cs + "]}}";
    }

    static Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    static HttpResponse<String> call(String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(WAIT)
                .header("Authorization", "Bearer " + server.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    /** Polls a condition the double updates asynchronously (e.g. after a client disconnects). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    // ---- discovery and plain HTTP ------------------------------------------------------------

    @Test
    void discoveryListsResourcesWithShortNamesAndGroups() {
        String resources = kubectl.run("api-resources").assertSuccess().stdout();
        assertThat(resources.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList()).contains(
                "pods po v1 true Pod", "services svc v1 true Service", "configmaps cm v1 true ConfigMap",
                "namespaces ns v1 false Namespace", "deployments deploy apps/v1 true Deployment",
                "cronjobs cj batch/v1 true CronJob", "networkpolicies netpol networking.k8s.io/v1 true NetworkPolicy",
                "clusterroles rbac.authorization.k8s.io/v1 false ClusterRole",
                "selfsubjectaccessreviews authorization.k8s.io/v1 false SelfSubjectAccessReview");
        assertThat(kubectl.run("api-versions").assertSuccess().stdout().lines()).contains(
                "v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "authorization.k8s.io/v1");
        // kubectl 1.32 asks for aggregated discovery first
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.path()).isEqualTo("/apis");
            assertThat(r.header("Accept")).contains("as=APIGroupDiscoveryList");
            assertThat(r.status()).isEqualTo(200);
        });
    }

    @Test
    void servesAggregatedAndLegacyDiscoveryVersionAndHealthOverHttp2() throws Exception {
        HttpResponse<String> agg = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api"))
                .header("Authorization", "Bearer " + server.token())
                .header("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(agg.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(agg.headers().firstValue("Content-Type")).contains("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        JsonNode pods = json(agg.body()).at("/items/0/versions/0/resources/0");
        assertThat(pods.path("resource").asText()).isEqualTo("pods");
        assertThat(pods.path("scope").asText()).isEqualTo("Namespaced");
        assertThat(pods.path("subresources").findValuesAsText("subresource")).contains("log", "exec", "attach", "portforward", "status");

        assertThat(json(call("GET", "/apis/apps/v1", null, null).body()).path("resources").findValuesAsText("name"))
                .contains("deployments", "deployments/scale", "statefulsets", "daemonsets", "replicasets");
        assertThat(json(call("GET", "/version", null, null).body()).path("gitVersion").asText()).startsWith("v1.32");
        assertThat(call("GET", "/readyz", null, null).body()).isEqualTo("ok");
        assertThat(json(call("GET", "/openapi/v3", null, null).body()).path("paths").has("apis/apps/v1")).isTrue();

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/pods")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        JsonNode status = json(anonymous.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("reason").asText()).isEqualTo("Unauthorized");
        assertThat(status.path("code").asInt()).isEqualTo(401);
    }

    // ---- CRUD ------------------------------------------------------------------------------

    @Test
    void createGetAsTableJsonYamlAndErrors() throws Exception {
        Path f = file("crud.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: crud, labels: {suite: crud}}
                data: {a: "1"}
                """);
        assertThat(kubectl.run("create", "-f", f.toString()).assertSuccess().stdout()).contains("configmap/crud created");
        Kubectl.Result again = kubectl.run("create", "-f", f.toString()).assertExitCode(1);
        assertThat(again.stderr()).contains("(AlreadyExists)", "configmaps \"crud\" already exists");

        List<String> table = kubectl.run("get", "configmaps", "-l", "suite=crud").assertSuccess().stdout().lines().toList();
        assertThat(table.get(0)).matches("NAME\\s+DATA\\s+AGE");
        assertThat(table.get(1)).matches("crud\\s+1\\s+\\d+s");
        assertThat(kubectl.run("get", "pods", "--field-selector", "metadata.name=shell").assertSuccess().stdout())
                .containsPattern("shell\\s+1/1\\s+Running\\s+0\\s+\\d+");

        JsonNode cm = json(kubectl.run("get", "configmap", "crud", "-o", "json").assertSuccess().stdout());
        assertThat(cm.at("/metadata/uid").asText()).isNotEmpty();
        assertThat(cm.at("/metadata/resourceVersion").asLong()).isPositive();
        assertThat(cm.at("/data/a").asText()).isEqualTo("1");
        assertThat(kubectl.run("get", "cm", "crud", "-o", "yaml").assertSuccess().stdout()).contains("kind: ConfigMap", "  a: \"1\"");

        Kubectl.Result missing = kubectl.run("get", "configmap", "nope").assertExitCode(1);
        assertThat(missing.stderr()).contains("Error from server (NotFound): configmaps \"nope\" not found");
        Kubectl.Result noNamespace = kubectl.run("create", "configmap", "x", "-n", "nowhere").assertExitCode(1);
        assertThat(noNamespace.stderr()).contains("namespaces \"nowhere\" not found");
    }

    @Test
    void typedCreateCommandsSendProtobufThatIsDecoded() throws Exception {
        kubectl.run("create", "deployment", "proto", "--image=nginx:1.25", "--replicas=0", "--port=8080").assertSuccess();
        JsonNode d = json(kubectl.run("get", "deploy", "proto", "-o", "json").assertSuccess().stdout());
        assertThat(d.at("/spec/replicas").asInt(-1)).isZero();
        assertThat(d.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.25");
        assertThat(d.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(d.at("/spec/selector/matchLabels/app").asText()).isEqualTo("proto");
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/apis/apps/v1/namespaces/default/deployments");
            assertThat(r.header("Content-Type")).isEqualTo("application/vnd.kubernetes.protobuf");
        });
        kubectl.run("create", "secret", "generic", "proto", "--from-literal=password=s3cret").assertSuccess();
        assertThat(kubectl.run("get", "secret", "proto", "-o", "jsonpath={.data.password}").assertSuccess().stdout())
                .isEqualTo("czNjcmV0");
        kubectl.run("scale", "deployment", "proto", "--replicas=3").assertSuccess();
        assertThat(kubectl.run("get", "deploy", "proto").assertSuccess().stdout()).containsPattern("proto\\s+3/3\\s+3\\s+3");
    }

    @Test
    void clientSideApplyCreatesThenPatches() throws Exception {
        String manifest = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: applied}
                data: {mode: %s}
                """;
        Path f = file("applied.yaml", manifest.formatted("one"));
        assertThat(kubectl.run("apply", "-f", f.toString()).assertSuccess().stdout()).contains("configmap/applied created");
        Files.writeString(f, manifest.formatted("two"));
        assertThat(kubectl.run("apply", "-f", f.toString()).assertSuccess().stdout()).contains("configmap/applied configured");
        assertThat(kubectl.run("apply", "-f", f.toString()).assertSuccess().stdout()).contains("configmap/applied unchanged");
        JsonNode cm = json(kubectl.run("get", "cm", "applied", "-o", "json").assertSuccess().stdout());
        assertThat(cm.at("/data/mode").asText()).isEqualTo("two");
        assertThat(cm.at("/metadata/annotations").toString()).contains("last-applied-configuration");
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("PATCH");
            assertThat(r.path()).endsWith("/configmaps/applied");
            assertThat(r.header("Content-Type")).isEqualTo("application/strategic-merge-patch+json");
        });
    }

    @Test
    void serverSideApplyCreatesAndMerges() throws Exception {
        String manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: ssa}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: ssa}}
                  template:
                    metadata: {labels: {app: ssa}}
                    spec: {containers: [{name: app, image: nginx}]}
                """;
        Path f = file("ssa.yaml", manifest.formatted(2));
        assertThat(kubectl.run("apply", "--server-side", "-f", f.toString()).assertSuccess().stdout())
                .contains("deployment.apps/ssa serverside-applied");
        Files.writeString(f, manifest.formatted(4));
        kubectl.run("apply", "--server-side", "-f", f.toString()).assertSuccess();
        JsonNode d = json(kubectl.run("get", "deploy", "ssa", "-o", "json").assertSuccess().stdout());
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(d.at("/metadata/generation").asInt()).isEqualTo(2);
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.header("Content-Type")).isEqualTo("application/apply-patch+yaml");
            assertThat(r.rawQuery()).contains("fieldManager=kubectl", "force=false");
        });
    }

    @Test
    void strategicMergeAndJsonPatches() throws Exception {
        server.putObject(pod("patchme", "app", "sidecar"));
        kubectl.run("patch", "pod", "patchme", "-p", "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:2\"}]}}").assertSuccess();
        JsonNode p = json(kubectl.run("get", "pod", "patchme", "-o", "json").assertSuccess().stdout());
        assertThat(p.at("/spec/containers").findValuesAsText("image")).containsExactly("nginx:2", "busybox:1"); // merged by name

        kubectl.run("patch", "pod", "patchme", "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}").assertSuccess();
        kubectl.run("patch", "pod", "patchme", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/extra\",\"value\":\"1\"},{\"op\":\"remove\",\"path\":\"/metadata/labels/tier\"}]")
                .assertSuccess();
        assertThat(json(kubectl.run("get", "pod", "patchme", "-o", "json").assertSuccess().stdout()).at("/metadata/labels").toString())
                .isEqualTo("{\"extra\":\"1\"}");
        Kubectl.Result failed = kubectl.run("patch", "pod", "patchme", "--type=json", "-p",
                "[{\"op\":\"test\",\"path\":\"/metadata/labels/extra\",\"value\":\"2\"}]").assertExitCode(1);
        assertThat(failed.stderr()).contains("test failed");
    }

    @Test
    void deleteDeleteCollectionAndDryRun() throws Exception {
        kubectl.run("create", "configmap", "dry", "--dry-run=server").assertSuccess();
        kubectl.run("get", "configmap", "dry").assertExitCode(1);

        kubectl.run("create", "configmap", "doomed").assertSuccess();
        assertThat(kubectl.run("delete", "configmap", "doomed").assertSuccess().stdout()).contains("configmap \"doomed\" deleted");
        kubectl.run("get", "configmap", "doomed").assertExitCode(1);

        for (String n : List.of("bulk-1", "bulk-2")) {
            server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + n + "\",\"labels\":{\"bulk\":\"yes\"}}}");
        }
        HttpResponse<String> r = call("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=bulk%3Dyes", null, null);
        assertThat(json(r.body()).path("items").findValuesAsText("name")).containsExactly("bulk-1", "bulk-2");
        assertThat(kubectl.run("get", "cm", "-l", "bulk=yes").assertSuccess().stderr()).contains("No resources found");
    }

    @Test
    void updateWithStaleResourceVersionConflicts() throws Exception {
        JsonNode cm = server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cas\"}}");
        String stale = cm.toString();
        server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cas\"},\"data\":{\"v\":\"2\"}}");
        HttpResponse<String> r = call("PUT", "/api/v1/namespaces/default/configmaps/cas", stale, "application/json");
        assertThat(r.statusCode()).isEqualTo(409);
        JsonNode status = json(r.body());
        assertThat(status.path("reason").asText()).isEqualTo("Conflict");
        assertThat(status.path("message").asText()).contains("the object has been modified");
        assertThat(status.path("details").path("name").asText()).isEqualTo("cas");
    }

    @Test
    void namespacesAreObjectsAndTakeTheirContentsWithThem() {
        kubectl.run("create", "namespace", "scratch").assertSuccess();
        kubectl.run("create", "configmap", "inside", "-n", "scratch").assertSuccess();
        assertThat(kubectl.run("get", "ns", "scratch").assertSuccess().stdout()).containsPattern("scratch\\s+Active");
        kubectl.run("delete", "namespace", "scratch").assertSuccess();
        kubectl.run("get", "configmap", "inside", "-n", "scratch").assertExitCode(1);
    }

    // ---- watch -----------------------------------------------------------------------------

    @Test
    void kubectlWatchShowsChangesAndItsExitCancelsTheWatch() throws Exception {
        watchAndLeave(server, kubectl);
    }

    @Test
    void kubectlWatchOverHttp1() throws Exception {
        watchAndLeave(http1, kubectlHttp1);
    }

    private static void watchAndLeave(FakeKubeApiServer s, Kubectl k) throws Exception {
        int before = s.openWatches();
        RecordedRequest watch;
        try (Kubectl.Running w = k.start("get", "configmaps", "-w", "-l", "watched=yes")) {
            await("the watch to start", () -> s.requests().stream().anyMatch(r -> isWatch(r) && r.status() == 200 && r.clientClosedAt().isEmpty()));
            watch = s.requests().stream().filter(FakeKubeApiServerTest::isWatch).reduce((a, b) -> b).orElseThrow();
            s.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"seen\",\"labels\":{\"watched\":\"yes\"}}}");
            assertThat(w.awaitStdout(out -> out.lines().anyMatch(l -> l.startsWith("seen ")), WAIT)).startsWith("NAME");
        }
        await("the watch to be cancelled", () -> s.openWatches() == before);
        await("the client close to be recorded", () -> watch.clientClosedAt().isPresent());
    }

    private static boolean isWatch(RecordedRequest r) {
        return r.path().endsWith("/configmaps") && r.rawQuery() != null && r.rawQuery().contains("watch=true");
    }

    @Test
    void watchStreamsEventsAfterAResourceVersionWithBookmarksUntilTimeout() throws Exception {
        JsonNode first = server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w-1\"}}");
        server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w-2\"}}");
        server.putObject("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w-1\"},\"data\":{\"x\":\"y\"}}");
        String rv = first.at("/metadata/resourceVersion").asText();
        long start = System.nanoTime();
        HttpResponse<String> r = call("GET", "/api/v1/watch/namespaces/default/configmaps?allowWatchBookmarks=true&timeoutSeconds=1"
                + "&fieldSelector=metadata.name%21%3Dw-2&resourceVersion=" + rv, null, null);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        List<JsonNode> events = r.body().lines().map(l -> {
            try {
                return json(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(events.get(0).path("type").asText()).isEqualTo("MODIFIED");
        assertThat(events.get(0).at("/object/metadata/name").asText()).isEqualTo("w-1");
        assertThat(events.stream().skip(1).map(e -> e.path("type").asText())).isNotEmpty().allMatch("BOOKMARK"::equals);
        assertThat(server.openWatches()).isZero();
    }

    @Test
    void resettingOneHttp2StreamCancelsOnlyThatWatch() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(server.clientSslContext()).version(HttpClient.Version.HTTP_2).build();
        HttpRequest watch = HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/namespaces/default/secrets?watch=true"))
                .header("Authorization", "Bearer " + server.token()).build();
        int before = server.openWatches();
        HttpResponse<InputStream> a = client.send(watch, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> b = client.send(watch, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(a.version()).isEqualTo(HttpClient.Version.HTTP_2);
        await("two watches", () -> server.openWatches() == before + 2);
        List<RecordedRequest> watches = server.requests().stream().filter(r -> r.path().endsWith("/secrets")).toList();
        assertThat(watches).hasSize(2).extracting(RecordedRequest::remoteAddress).containsOnly(watches.get(0).remoteAddress());
        a.body().close(); // resets the stream, the connection stays
        await("one watch to end", () -> server.openWatches() == before + 1);
        b.body().close();
        await("both watches to end", () -> server.openWatches() == before);
    }

    // ---- logs ------------------------------------------------------------------------------

    @Test
    void logsTailAndFollow() throws Exception {
        server.addPodLogLines("default", "shell", List.of("one", "two", "three"));
        assertThat(kubectl.run("logs", "shell").assertSuccess().stdout()).isEqualTo("one\ntwo\nthree\n");
        assertThat(kubectl.run("logs", "shell", "--tail=1").assertSuccess().stdout()).isEqualTo("three\n");
        assertThat(kubectl.run("logs", "twins", "-c", "sidecar").assertSuccess().stdout()).isEmpty();
        int before = server.openLogStreams();
        try (Kubectl.Running f = kubectl.start("logs", "-f", "shell", "--tail=2")) {
            f.awaitStdout("two\nthree\n", WAIT);
            await("the follower", () -> server.openLogStreams() == before + 1);
            server.addPodLogLines("default", "shell", List.of("four"));
            f.awaitStdout("three\nfour\n", WAIT);
        }
        await("the log stream to close", () -> server.openLogStreams() == before);
        kubectl.run("logs", "ghost").assertExitCode(1);
    }

    // ---- exec ------------------------------------------------------------------------------

    @Test
    void execEchoOverWebSocketV5() {
        Kubectl.Result r = kubectl.run("exec", "shell", "--", "echo", "hi", "there").assertSuccess();
        assertThat(r.stdout()).isEqualTo("hi there\n");
        RecordedRequest exec = server.requests().stream().filter(q -> q.path().equals("/api/v1/namespaces/default/pods/shell/exec"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(exec.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(exec.header("Sec-WebSocket-Protocol")).contains("v5.channel.k8s.io");
        assertThat(exec.rawQuery()).contains("command=echo", "command=hi", "container=main");
        assertThat(exec.status()).isEqualTo(101);
        assertThat(kubectlHttp1.run("exec", "twins", "-c", "sidecar", "--", "echo", "h1").assertSuccess().stdout()).isEqualTo("h1\n");
    }

    @Test
    void execStdinRoundTripsThroughCat() throws Exception {
        String content = IntStream.range(0, 5000).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
        Path input = file("stdin.txt", content);
        assertThat(kubectl.runWithStdinFrom(input, "exec", "-i", "shell", "--", "cat").assertSuccess().stdout()).isEqualTo(content);
        server.putPodFile("default", "shell", "/etc/motd", "hello from the pod\n");
        assertThat(kubectl.run("exec", "shell", "--", "cat", "/etc/motd").assertSuccess().stdout()).isEqualTo("hello from the pod\n");
    }

    @Test
    void execExitCodesAreKubectlsExitCodes() throws Exception {
        Kubectl.Result three = kubectl.run("exec", "shell", "--", "sh", "-c", "exit 3").assertExitCode(3);
        assertThat(three.stderr()).contains("command terminated with exit code 3");
        Kubectl.Result unknown = kubectl.run("exec", "shell", "--", "frobnicate").assertExitCode(127);
        assertThat(unknown.stderr()).contains("frobnicate: command not found");
        assertThat(kubectl.run("exec", "shell", "--", "cat", "/missing").assertExitCode(1).stderr()).contains("No such file or directory");
        assertThat(kubectl.run("exec", "ghost", "--", "echo").assertExitCode(1).stderr()).contains("pods \"ghost\" not found");
        await("exec sessions to close", () -> server.openExecSessions() == 0);
    }

    @Test
    void spdyUpgradeIsAnOpaqueEchoTunnel() throws Exception {
        try (SSLSocket socket = (SSLSocket) http1.clientSslContext().getSocketFactory().createSocket("127.0.0.1", http1.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + http1.token() + "\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                    + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: SPDY/3.1");
            await("the tunnel", () -> http1.openExecSessions() == 1);
            byte[] frame = {(byte) 0x80, 3, 0, 1, 0, 0, 0, 0, 42};
            out.write(frame);
            out.flush();
            assertThat(in.readNBytes(frame.length)).isEqualTo(frame);
        }
        await("the tunnel to close", () -> http1.openExecSessions() == 0);
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    // ---- authorization and identity ---------------------------------------------------------

    @Test
    void authCanIFollowsTheDenyRule() throws Exception {
        assertThat(kubectl.run("auth", "can-i", "create", "pods").assertExitCode(0).stdout()).isEqualTo("yes\n");
        assertThat(kubectl.run("auth", "can-i", "delete", "nodes").assertExitCode(1).stdout()).startsWith("no");
        assertThat(kubectl.run("auth", "can-i", "get", "pods", "--as", "mallory").assertExitCode(1).stdout()).startsWith("no");
        Kubectl.Result forbidden = kubectl.run("get", "secrets", "--as", "mallory").assertExitCode(1);
        assertThat(forbidden.stderr()).contains("Error from server (Forbidden): secrets is forbidden: User \"mallory\" cannot list resource "
                + "\"secrets\" in API group \"\" in the namespace \"default\"");
    }

    @Test
    void whoamiShowsTheImpersonatedUserAndHeadersAreRecorded() {
        server.clearRequests();
        String who = kubectl.run("auth", "whoami", "--as", "jane", "--as-group", "devs").assertSuccess().stdout();
        assertThat(who).containsPattern("Username\\s+jane").containsPattern("Groups\\s+\\[devs system:authenticated\\]");
        RecordedRequest review = server.requests().stream().filter(r -> r.path().endsWith("/selfsubjectreviews")).findFirst().orElseThrow();
        assertThat(review.header("Impersonate-User")).isEqualTo("jane");
        assertThat(review.headers().getAll("Impersonate-Group")).containsExactly("devs");
        assertThat(review.header("Authorization")).isEqualTo("Bearer " + server.token());
    }

    @Test
    void latencyOptionDelaysResponses() throws Exception {
        try (FakeKubeApiServer slow = FakeKubeApiServer.start(FakeKubeApiServer.Options.builder().latency(Duration.ofMillis(150)).build())) {
            HttpClient c = HttpClient.newBuilder().sslContext(slow.clientSslContext()).build();
            long start = System.nanoTime();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(slow.url() + "/api/v1/namespaces"))
                    .header("Authorization", "Bearer " + slow.token()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
        }
    }
}
