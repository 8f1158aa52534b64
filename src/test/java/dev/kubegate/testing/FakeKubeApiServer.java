package dev.kubegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PfxOptions;

/**
 * A Kubernetes API server test double that the real {@code kubectl} (1.32) works against: discovery
 * (legacy and aggregated), generic CRUD with watches, tables, patches and server-side apply, pod
 * logs, exec over WebSocket (v5/v4.channel.k8s.io), an opaque SPDY upgrade tunnel, access reviews
 * and request recording. It is the upstream of kubegate in end-to-end tests.
 *
 * <pre>
 * try (FakeKubeApiServer api = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults())) {
 *     Kubectl kubectl = new Kubectl(api.writeKubeconfig(dir.resolve("kubeconfig")));
 *     kubectl.run("get", "pods").assertSuccess();
 *     assertThat(api.requests()).anySatisfy(r -> assertThat(r.header("Impersonate-User")).isEqualTo("kubegate:agent"));
 * }
 * </pre>
 *
 * <p>Threading: one verticle on one event loop owns all state (objects, watches, log followers, exec
 * sessions), so no handler needs a lock. Public methods may be called from any thread; those that
 * change state hop onto the event loop and wait.
 *
 * <p>Authentication: every request needs {@code Authorization: Bearer <token()>} (else a 401
 * Status), except {@code /version}, {@code /healthz}, {@code /livez} and {@code /readyz}, which a
 * default apiserver also serves to anonymous clients. {@code Impersonate-*} headers are honoured
 * without an authorization check and only recorded.
 *
 * <p>Bodies: JSON, YAML, and for the kinds kubectl's typed clients create, Kubernetes protobuf (see
 * {@link Protobuf}). Responses are always JSON.
 *
 * <p>Not modelled: controllers (pods run as soon as they exist, workloads report every replica
 * ready), admission, schemas (unknown fields are accepted; {@code /openapi/v3} only declares the
 * fieldValidation parameter, so {@code kubectl explain} fails and {@code /openapi/v2} is a 404),
 * field ownership in server-side apply (an apply is a strategic merge), port forwarding and
 * {@code kubectl cp} (no {@code tar} in the scripted shell).
 */
public final class FakeKubeApiServer implements AutoCloseable {

    /**
     * @param http2 offer h2 via ALPN next to http/1.1 (TLS is always on)
     * @param token the bearer token accepted; other requests get a 401 Status
     * @param user the user the token authenticates as
     * @param groups that user's groups
     * @param latency added before every request is handled, upgrades excepted (zero: none)
     * @param bookmarkInterval how often watches that allow bookmarks get a BOOKMARK event
     * @param deny authorization rule: matching requests (and access reviews) are forbidden
     * @param port 0 for a random free port
     * @param maxRecordedRequests the oldest recorded requests are dropped beyond this (load tests)
     */
    public record Options(boolean http2, String token, String user, List<String> groups, Duration latency,
            Duration bookmarkInterval, Predicate<AccessRequest> deny, int port, int maxRecordedRequests) {

        public Options {
            Objects.requireNonNull(token, "token");
            groups = List.copyOf(groups);
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().http2(http2).token(token).user(user).groups(groups).latency(latency)
                    .bookmarkInterval(bookmarkInterval).deny(deny).port(port).maxRecordedRequests(maxRecordedRequests);
        }

        public static final class Builder {
            private boolean http2 = true;
            private String token = "fake-token-" + UUID.randomUUID();
            private String user = "fake-admin";
            private List<String> groups = List.of("system:masters", "system:authenticated");
            private Duration latency = Duration.ZERO;
            private Duration bookmarkInterval = Duration.ofSeconds(5);
            private Predicate<AccessRequest> deny = a -> false;
            private int port;
            private int maxRecordedRequests = 100_000;

            public Builder http2(boolean v) {
                http2 = v;
                return this;
            }

            public Builder token(String v) {
                token = v;
                return this;
            }

            public Builder user(String v) {
                user = v;
                return this;
            }

            public Builder groups(List<String> v) {
                groups = v;
                return this;
            }

            public Builder latency(Duration v) {
                latency = v;
                return this;
            }

            public Builder bookmarkInterval(Duration v) {
                bookmarkInterval = v;
                return this;
            }

            public Builder deny(Predicate<AccessRequest> v) {
                deny = v;
                return this;
            }

            public Builder port(int v) {
                port = v;
                return this;
            }

            public Builder maxRecordedRequests(int v) {
                maxRecordedRequests = v;
                return this;
            }

            public Options build() {
                return new Options(http2, token, user, groups, latency, bookmarkInterval, deny, port, maxRecordedRequests);
            }
        }
    }

    private static final String HOST = "127.0.0.1";

    final Options options;
    final Vertx vertx;
    final ObjectStore store = new ObjectStore();
    final AtomicInteger openWatches = new AtomicInteger();
    final AtomicInteger openLogStreams = new AtomicInteger();
    final AtomicInteger openExecSessions = new AtomicInteger();
    private final Certificates certificates = Certificates.generate();
    private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
    private final ResourceHandler resources;
    private final PodLogs logs;
    private final ExecHandler exec;
    private final Authz authz;
    private volatile Context context;
    private volatile int port;

    private FakeKubeApiServer(Options options) {
        this.options = options;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        this.resources = new ResourceHandler(this);
        this.logs = new PodLogs(this);
        this.exec = new ExecHandler(this);
        this.authz = new Authz(this);
    }

    /** Starts a server and blocks until it listens on a random free port of 127.0.0.1. */
    public static FakeKubeApiServer start(Options options) {
        FakeKubeApiServer s = new FakeKubeApiServer(options);
        try {
            s.vertx.deployVerticle(s.new ServerVerticle()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.vertx.close();
            throw new IllegalStateException("fake kube-apiserver did not start", e);
        }
        return s;
    }

    public static FakeKubeApiServer start() {
        return start(Options.defaults());
    }

    public String url() {
        return "https://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String caPem() {
        return certificates.caPem();
    }

    public String token() {
        return options.token();
    }

    /** An SSLContext trusting only this server's CA, for Java clients in tests. */
    public javax.net.ssl.SSLContext clientSslContext() {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(caPem().getBytes(StandardCharsets.US_ASCII))));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Options options() {
        return options;
    }

    /** Writes a kubeconfig with context, cluster and user "fake" (namespace default) and returns the file. */
    public Path writeKubeconfig(Path file) {
        String ca = Base64.getEncoder().encodeToString(caPem().getBytes(StandardCharsets.US_ASCII));
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: fake
                  user:
                    token: %s
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: fake
                    namespace: default
                current-context: fake
                """.formatted(url(), ca, token());
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Every request seen so far, oldest first (a copy). */
    /** A service-account token the double's TokenReview accepts, for the given audiences (any when empty). */
    public record ServiceAccountToken(String namespace, String name, String uid, List<String> audiences) {
    }

    private final Map<String, ServiceAccountToken> serviceAccountTokens = new java.util.concurrent.ConcurrentHashMap<>();

    /** Makes TokenReview accept {@code token} as {@code system:serviceaccount:<namespace>:<name>}. */
    public void addServiceAccountToken(String token, ServiceAccountToken sa) {
        serviceAccountTokens.put(token, sa);
    }

    /** Fills in a TokenReview's status, as the API server's token authenticators would. */
    void tokenReview(com.fasterxml.jackson.databind.node.ObjectNode review) {
        com.fasterxml.jackson.databind.JsonNode spec = review.path("spec");
        ServiceAccountToken sa = serviceAccountTokens.get(spec.path("token").asText(""));
        List<String> wanted = new ArrayList<>();
        spec.path("audiences").forEach(a -> wanted.add(a.asText()));
        com.fasterxml.jackson.databind.node.ObjectNode status = review.putObject("status");
        if (sa == null) {
            status.put("authenticated", false).put("error", "[invalid bearer token, token lookup failed]");
            return;
        }
        if (!wanted.isEmpty() && !sa.audiences().isEmpty() && wanted.stream().noneMatch(sa.audiences()::contains)) {
            status.put("authenticated", false).put("error", "[invalid bearer token, token audiences " + sa.audiences()
                    + " is invalid for the target audiences " + wanted + "]");
            return;
        }
        status.put("authenticated", true);
        com.fasterxml.jackson.databind.node.ObjectNode user = status.putObject("user")
                .put("username", "system:serviceaccount:" + sa.namespace() + ":" + sa.name()).put("uid", sa.uid());
        user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + sa.namespace()).add("system:authenticated");
        (wanted.isEmpty() ? sa.audiences() : wanted).forEach(status.withArray("audiences")::add);
    }

    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return new ArrayList<>(recorded);
        }
    }

    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    public int openWatches() {
        return openWatches.get();
    }

    public int openLogStreams() {
        return openLogStreams.get();
    }

    /** Open WebSocket exec/attach sessions and SPDY tunnels. */
    public int openExecSessions() {
        return openExecSessions.get();
    }

    /** Appends lines to a pod's log; followers see them at once. The pod need not exist yet. */
    public void addPodLogLines(String namespace, String pod, List<String> lines) {
        onLoop(() -> {
            logs.add(namespace, pod, lines);
            return null;
        });
    }

    /** Registers a file that {@code cat <path>} prints when exec'd in that pod. */
    public void putPodFile(String namespace, String pod, String path, String content) {
        onLoop(() -> {
            exec.putFile(namespace, pod, path, content);
            return null;
        });
    }

    /**
     * Creates or replaces an object given as JSON or YAML (a manifest as {@code kubectl apply} takes),
     * as if server-side applied; returns the stored object. Handy for seeding.
     */
    public JsonNode putObject(String manifest) {
        ObjectNode obj = Json.parseObject(manifest);
        return onLoop(() -> resources.put(obj));
    }

    /** The stored object, or null. */
    public JsonNode getObject(String apiVersion, String kind, String namespace, String name) {
        return onLoop(() -> {
            ResourceType t = ApiCatalog.byKind(apiVersion, kind).orElseThrow(() -> new IllegalArgumentException(kind));
            return store.get(t, namespace, name);
        });
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: the event loop threads are daemons
        }
    }

    <T> T onLoop(Supplier<T> action) {
        if (Vertx.currentContext() == context) {
            return action.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                f.complete(action.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Owns the HTTP server; all handlers run on this verticle's event loop. */
    private final class ServerVerticle extends AbstractVerticle {
        @Override
        public void start(Promise<Void> started) {
            FakeKubeApiServer.this.context = context;
            HttpServerOptions o = new HttpServerOptions()
                    .setHost(HOST).setPort(options.port())
                    .setSsl(true)
                    .setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(certificates.pkcs12()))
                            .setPassword(new String(certificates.password())))
                    .setUseAlpn(true)
                    .setAlpnVersions(options.http2() ? List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1) : List.of(HttpVersion.HTTP_1_1))
                    .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(1000))
                    // kubectl's WebSocket executor offers only v5; v4 is there for older clients
                    .setWebSocketSubProtocols(List.of("v5.channel.k8s.io", "v4.channel.k8s.io"))
                    .setMaxWebSocketFrameSize(1 << 20)
                    .setMaxWebSocketMessageSize(16 << 20);
            HttpServer server = vertx.createHttpServer(o).requestHandler(FakeKubeApiServer.this::handle);
            server.listen().onSuccess(s -> {
                port = s.actualPort();
                started.complete();
            }).onFailure(started::fail);
        }
    }

    // ---- request handling ------------------------------------------------------------------

    private void handle(HttpServerRequest req) {
        RecordedRequest rec = new RecordedRequest(req.method().name(), req.path(), req.query(), req.headers(),
                req.version().name(), String.valueOf(req.remoteAddress()));
        synchronized (recorded) {
            recorded.addLast(rec);
            while (recorded.size() > options.maxRecordedRequests()) {
                recorded.removeFirst();
            }
        }
        ApiRequest r = new ApiRequest(req, rec);
        req.response().putHeader("Audit-Id", UUID.randomUUID().toString()).putHeader("Cache-Control", "no-cache, private");
        if (req.headers().contains("Upgrade")) {
            // the upgrade takes over the request stream: no body to read, no latency to add
            dispatch(r);
            return;
        }
        req.body().onSuccess(body -> {
            r.body = body;
            rec.body(body.toString());
            if (options.latency().isZero() || options.latency().isNegative()) {
                dispatch(r);
            } else {
                vertx.setTimer(Math.max(1, options.latency().toMillis()), id -> dispatch(r));
            }
        });
    }

    private void dispatch(ApiRequest r) {
        try {
            route(r);
        } catch (ApiError e) {
            r.fail(e);
        } catch (RuntimeException e) {
            // a bug in the double: make it loud in the test output
            System.err.println("fake kube-apiserver: " + r.recorded + " failed");
            e.printStackTrace();
            r.fail(new ApiError(500, "InternalError", "Internal error occurred: " + e, null));
        }
    }

    private void route(ApiRequest r) {
        String path = r.http.path();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        // like an apiserver with anonymous access to public info, health and version need no token
        if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")
                || path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) {
            r.send(200, "text/plain; charset=utf-8", Buffer.buffer("ok"));
            return;
        }
        if (path.equals("/version")) {
            r.send(200, version());
            return;
        }
        r.user = authenticate(r);

        String[] parts = path.substring(1).split("/");
        if (path.equals("/api") || path.equals("/apis")) {
            getOnly(r);
            String discovery = r.acceptParam(Set.of("APIGroupDiscoveryList"), "v");
            if (discovery != null && (discovery.equals("v2") || discovery.equals("v2beta1"))) {
                r.send(200, "application/json;g=apidiscovery.k8s.io;v=" + discovery + ";as=APIGroupDiscoveryList",
                        Json.buffer(ApiCatalog.aggregated(path.equals("/api"), discovery)));
            } else {
                r.send(200, path.equals("/api") ? ApiCatalog.apiVersions(HOST + ":" + port) : ApiCatalog.apiGroupList());
            }
            return;
        }
        if (path.equals("/api/v1")) {
            getOnly(r);
            r.send(200, ApiCatalog.resourceList("", "v1"));
            return;
        }
        if (parts[0].equals("apis") && parts.length == 2 && ApiCatalog.groups().contains(parts[1])) {
            getOnly(r);
            r.send(200, ApiCatalog.apiGroup(parts[1]));
            return;
        }
        if (parts[0].equals("apis") && parts.length == 3 && ApiCatalog.servesGroupVersion(parts[1], parts[2])) {
            getOnly(r);
            r.send(200, ApiCatalog.resourceList(parts[1], parts[2]));
            return;
        }
        if (path.equals("/openapi/v3")) {
            r.send(200, ApiCatalog.openApiRoot());
            return;
        }
        if (path.startsWith("/openapi/v3/")) {
            r.send(200, ApiCatalog.openApiDocument(path.substring("/openapi/v3/".length())).orElseThrow(ApiError::notFound));
            return;
        }
        if (!r.classify(path)) {
            throw ApiError.notFound();
        }
        ResourceType t = ApiCatalog.find(r.group, r.version, r.resource).orElseThrow(ApiError::notFound);
        r.type = t;
        List<String> verbs = t.verbs();
        if (r.subresource != null) {
            ResourceType.Sub sub = t.subresources().get(r.subresource);
            if (sub == null || r.name == null) {
                throw ApiError.notFound();
            }
            verbs = sub.verbs();
        }
        if (!verbs.contains(r.verb) && !(r.verb.equals("watch") && verbs.contains("list"))) {
            throw ApiError.methodNotAllowed();
        }
        if (!t.kind().startsWith("Self")) { // like RBAC's system:basic-user, anyone may ask about themselves
            authz.check(r);
        }
        switch (r.subresource == null ? "" : r.subresource) {
            case "log" -> logs.handle(r);
            case "exec", "attach", "portforward" -> exec.handle(r);
            default -> {
                if (t.group().equals("authorization.k8s.io") || t.group().equals("authentication.k8s.io")) {
                    authz.review(r);
                } else {
                    resources.handle(r);
                }
            }
        }
    }

    private static void getOnly(ApiRequest r) {
        if (r.http.method() != HttpMethod.GET && r.http.method() != HttpMethod.HEAD) {
            throw ApiError.methodNotAllowed();
        }
    }

    private ApiRequest.User authenticate(ApiRequest r) {
        String auth = r.http.getHeader("Authorization");
        if (auth == null || !auth.equals("Bearer " + options.token())) {
            throw ApiError.unauthorized();
        }
        String as = r.http.getHeader("Impersonate-User");
        if (as == null) {
            return new ApiRequest.User(options.user(), options.groups(), Map.of());
        }
        // the double trusts its token to impersonate anyone: impersonation is recorded, not authorized
        List<String> groups = new ArrayList<>(r.http.headers().getAll("Impersonate-Group"));
        if (!groups.contains("system:authenticated")) {
            groups.add("system:authenticated");
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        r.http.headers().names().stream().filter(n -> n.toLowerCase().startsWith("impersonate-extra-")).forEach(n ->
                extra.put(URLDecoder.decode(n.substring("impersonate-extra-".length()), StandardCharsets.UTF_8).toLowerCase(),
                        r.http.headers().getAll(n)));
        return new ApiRequest.User(as, List.copyOf(groups), extra);
    }

    private static ObjectNode version() {
        return Json.object().put("major", "1").put("minor", "32").put("gitVersion", ApiCatalog.VERSION)
                .put("gitCommit", "0000000000000000000000000000000000000000").put("gitTreeState", "clean")
                .put("buildDate", "2024-12-11T00:00:00Z").put("goVersion", "go1.23.3").put("compiler", "gc")
                .put("platform", "linux/amd64");
    }
}
