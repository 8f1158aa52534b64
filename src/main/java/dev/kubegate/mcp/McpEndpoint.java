package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.ApprovalService;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.gateway.GatewayRuntime;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.session.SessionCounters;
import dev.kubegate.inspect.BodyReader;
import dev.kubegate.inspect.InspectionException;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The MCP endpoint, {@code /kubegate/mcp}: Streamable HTTP (spec 2025-06-18, also 2025-03-26).
 * A small JSON-RPC handler on the gateway's Vert.x router rather than a library transport: the
 * official SDK's server transports are servlet or Spring based and keep sessions in memory (one
 * replica), while this endpoint must authenticate every request like the API, hold a tool call
 * for approval without a thread, and work on any replica. Every request is authenticated with the
 * agent's bearer credential (401 with {@code WWW-Authenticate} otherwise); sessions are stateless
 * ({@link McpSessions}); {@code POST} carries one JSON-RPC message; the answer is JSON, or an SSE
 * stream when the client asked for progress (a progress token) so the notifications can come first.
 * No server-initiated stream: {@code GET} and {@code DELETE} are 405.
 */
@ApplicationScoped
public class McpEndpoint {

    static final String PATH = "/kubegate/mcp";
    static final String METADATA_PATH = PATH + "/resource-metadata";
    static final String LATEST = "2025-06-18";
    static final List<String> SUPPORTED = List.of("2025-06-18", "2025-03-26");
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";


    @Inject
    KubegateConfig config;

    @Inject
    GatewayRuntime runtime;

    @Inject
    Vertx vertx;

    @Inject
    PolicyService policy;

    @Inject
    SessionCounters counters;

    @Inject
    ApprovalService approvals;

    @Inject
    dev.kubegate.trail.AuditTrail audit;

    @Inject
    dev.kubegate.store.StateStore store;

    @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
    int sslPort;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0")
    String listenHost;

    /** False for the CLI's commands, which start the application without serving (no state store, no listener). */
    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private final ToolCatalog catalog = new ToolCatalog();
    private Loopback loopback;
    private PodExec exec;
    private ToolCalls tools;
    private Elicitations elicitations;
    private long maxMessage;
    private String version;

    void routes(@Observes Router router) {
        if (!config.mcp().enabled() || !serving) {
            return;
        }
        long maxBody = config.limits().maxRequestBody().bytes();
        // A resource argument up to the request limit, JSON-escaped (up to 6 bytes a character for control characters).
        maxMessage = 6 * maxBody + 64 * 1024;
        String host = "0.0.0.0".equals(listenHost) || "::".equals(listenHost) || "[::]".equals(listenHost) ? "127.0.0.1" : listenHost;
        loopback = new Loopback(vertx, host, sslPort, config.mcp().maxAnswer().bytes(), servedCertificate());
        Discovery discovery = new Discovery(loopback, config.mcp().discoveryTtl());
        long maxOutput = config.mcp().maxOutput().bytes();
        exec = new PodExec(vertx, loopback, maxOutput, config.mcp().execTimeout());
        java.time.Duration askFor = config.mcp().elicitationTimeout();
        elicitations = askFor.isZero() || askFor.isNegative() ? null : new Elicitations(vertx, store, askFor);
        tools = new ToolCalls(catalog, new KubernetesTools(vertx, loopback, discovery, new Output(maxOutput),
                new ApprovalProgress(vertx, approvals), exec, maxBody),
                new KubegateTools(vertx, discovery, policy, counters, approvals, maxBody), elicitations, audit);
        version = buildVersion();
        router.route(METADATA_PATH).handler(this::metadata);
        router.route(PATH).handler(this::handle);
    }

    /**
     * The certificate this gateway's HTTPS listener serves, for the loopback client to trust (and
     * nothing else): an explicit {@code quarkus.http.ssl} one, the operator's {@code kubegate.tls.cert-file},
     * or the generated CA.
     */
    private java.nio.file.Path servedCertificate() {
        java.util.Optional<java.util.List<java.nio.file.Path>> quarkus = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValues("quarkus.http.ssl.certificate.files", java.nio.file.Path.class);
        if (quarkus.isPresent() && !quarkus.get().isEmpty()) {
            return quarkus.get().get(0);
        }
        // The same call the TLS customizer makes before binding (idempotent); here first, on the start-up thread.
        return config.tls().certFile().orElseGet(() -> dev.kubegate.tls.ServingCertificate.ensure(config.dataDir(),
                config.tls().sans().orElse(List.of())).caCert());
    }

    @PreDestroy
    void close() {
        if (loopback != null) loopback.close();
        if (elicitations != null) elicitations.close();
    }

    /** RFC 9728 protected resource metadata: a bearer token in the header; tokens come from {@code kubegate login}. */
    private void metadata(RoutingContext ctx) {
        ObjectNode m = JsonRpc.JSON.createObjectNode().put("resource", base(ctx.request()) + PATH)
                .put("resource_name", "kubegate MCP server");
        m.putArray("bearer_methods_supported").add("header");
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(m.toString());
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = req.response();
        resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (req.method() != HttpMethod.POST) {
            // No server-initiated stream (GET) and nothing to end (DELETE): sessions hold no state.
            resp.setStatusCode(405).putHeader(HttpHeaders.ALLOW, "POST");
            plain(resp, 405, "kubegate's MCP endpoint takes POST only (no server-initiated stream; sessions need no DELETE)");
            return;
        }
        String origin = req.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !sameOrigin(origin, req)) {
            plain(resp, 403, "Origin " + origin + " is not this server's");
            return;
        }
        GatewayRuntime.Started rt = runtime.current();
        if (rt == null) {
            plain(resp, 503, "kubegate is starting or stopping; retry shortly");
            return;
        }
        loopback.arrivedOn(req);
        req.pause();
        String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
        io.vertx.core.Context vctx = Vertx.currentContext();
        rt.authenticators().authenticate(AuthenticatorChain.bearerToken(authorization)).subscribe().with(
                principal -> vctx.runOnContext(v -> readThen(req, principal, authorization)),
                failure -> vctx.runOnContext(v -> {
                    req.resume();
                    unauthenticated(req, authorization != null, failure);
                }));
    }

    private void unauthenticated(HttpServerRequest req, boolean presented, Throwable failure) {
        HttpServerResponse resp = req.response();
        if (failure instanceof AuthenticationException a && !a.unavailable()) {
            resp.putHeader("WWW-Authenticate", "Bearer realm=\"kubegate\", resource_metadata=\"" + base(req) + METADATA_PATH + "\""
                    + (presented ? ", error=\"invalid_token\", error_description=\"" + Status.describe(a).replace('"', '\'') + "\"" : ""));
            plain(resp, 401, "Unauthorized: " + Status.describe(a) + ". Send a kubegate credential as 'Authorization: Bearer <token>' (kubegate login)");
            return;
        }
        resp.putHeader(HttpHeaders.RETRY_AFTER, "1");
        plain(resp, 503, "kubegate cannot verify credentials right now: " + Status.describe(failure));
    }

    private void readThen(HttpServerRequest req, Principal principal, String authorization) {
        HttpServerResponse resp = req.response();
        BodyReader.read(req, maxMessage).onComplete(ar -> {
            if (ar.failed()) {
                Status s = ar.cause() instanceof InspectionException ie ? ie.status() : Status.badRequest(Status.describe(ar.cause()));
                plain(resp, s.code(), s.message());
                return;
            }
            JsonNode message;
            try {
                message = JsonRpc.JSON.readTree(strictUtf8(ar.result()));
            } catch (CharacterCodingException e) {
                json(resp, 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "the message is not valid UTF-8"));
                return;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                json(resp, 400, JsonRpc.error(null, JsonRpc.PARSE_ERROR, "the message is not valid JSON: " + e.getOriginalMessage()));
                return;
            }
            dispatch(req, principal, authorization, message);
        });
    }

    private void dispatch(HttpServerRequest req, Principal principal, String authorization, JsonNode message) {
        HttpServerResponse resp = req.response();
        if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText())) {
            json(resp, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, message != null && message.isArray()
                    ? "JSON-RPC batches are not part of MCP 2025-06-18; send one message per request"
                    : "not a JSON-RPC 2.0 message"));
            return;
        }
        String method = message.path("method").asText(null);
        JsonNode id = message.get("id");
        boolean initialize = "initialize".equals(method);
        String session = req.getHeader(SESSION_HEADER);
        if (!initialize) {
            String version = req.getHeader(VERSION_HEADER);
            // A response (to an elicitation) is not checked: the Java SDK 2.2 client sends its own
            // latest version on responses rather than the negotiated one, and a response means the same in every version.
            if (version != null && !SUPPORTED.contains(version) && method != null) {
                json(resp, 400, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "unsupported " + VERSION_HEADER + " " + version
                        + "; this server speaks " + String.join(", ", SUPPORTED)));
                return;
            }
            if (session == null) {
                json(resp, 400, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "missing " + SESSION_HEADER + ": send initialize first"));
                return;
            }
            if (!McpSessions.belongsTo(session, principal)) {
                json(resp, 404, JsonRpc.error(id, JsonRpc.INVALID_REQUEST, "unknown MCP session; send initialize again"));
                return;
            }
        }
        if (method == null && elicitations != null && Elicitations.isOurs(id) && (message.has("result") || message.has("error"))) {
            // The answer to an elicitation, maybe asked by another replica: routed through the shared store.
            elicitations.answered(principal, session, message).onComplete(ar -> {
                if (ar.succeeded() && ar.result()) {
                    resp.setStatusCode(202).end();
                } else if (ar.succeeded()) {
                    json(resp, 400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "no elicitation " + id.asText() + " is waiting for an answer in this session"));
                } else {
                    resp.putHeader(HttpHeaders.RETRY_AFTER, "1");
                    plain(resp, 503, "kubegate could not pass the answer on: " + Status.describe(ar.cause()));
                }
            });
            return;
        }
        if (method == null || id == null || id.isNull()) {
            resp.setStatusCode(202).end(); // a notification or a response: nothing to answer
            return;
        }
        JsonNode params = message.path("params");
        switch (method) {
            case "initialize" -> {
                String asked = params.path("protocolVersion").asText("");
                String negotiated = SUPPORTED.contains(asked) ? asked : LATEST;
                ObjectNode result = JsonRpc.JSON.createObjectNode().put("protocolVersion", negotiated);
                result.putObject("capabilities").putObject("tools").put("listChanged", false);
                result.putObject("serverInfo").put("name", "kubegate").put("title", "kubegate").put("version", version);
                result.put("instructions", "Kubernetes tools through kubegate: every call is judged by policy, may be held for a "
                        + "human's approval, has Secret values masked, and is recorded. A refusal's message says what to do instead.");
                // Asked for a justification before an approval request only when the client says it answers.
                boolean elicits = elicitations != null && params.path("capabilities").path("elicitation").isObject();
                resp.putHeader(SESSION_HEADER, McpSessions.open(principal, elicits));
                json(resp, 200, JsonRpc.result(id, result));
            }
            case "ping" -> json(resp, 200, JsonRpc.result(id, JsonRpc.JSON.createObjectNode()));
            case "tools/list" -> json(resp, 200, JsonRpc.result(id, catalog.list()));
            case "tools/call" -> tools.call(req, principal, authorization, session, id, params);
            default -> json(resp, 200, JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "method " + method + " is not served here"));
        }
    }

    static void json(HttpServerResponse resp, int code, ObjectNode body) {
        if (resp.closed() || resp.ended()) {
            return;
        }
        resp.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
    }

    private static void plain(HttpServerResponse resp, int code, String message) {
        if (resp.closed() || resp.ended()) {
            return;
        }
        // A JSON-RPC error without an id: what MCP clients show for an HTTP-level refusal.
        resp.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(JsonRpc.error(null, JsonRpc.INVALID_REQUEST, message).toString());
    }

    private static String strictUtf8(Buffer b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b.getBytes())).toString();
    }

    private static boolean sameOrigin(String origin, HttpServerRequest req) {
        String authority = req.authority() == null ? null : req.authority().toString();
        return authority != null && (origin.equals("https://" + authority) || origin.equals("http://" + authority));
    }

    private static String base(HttpServerRequest req) {
        return "https://" + (req.authority() == null ? "localhost" : req.authority().toString());
    }

    private static String buildVersion() {
        try (var in = McpEndpoint.class.getResourceAsStream("/kubegate-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) p.load(in);
            String v = p.getProperty("version", "");
            return v.isEmpty() || v.startsWith("${") ? "dev" : v;
        } catch (java.io.IOException e) {
            return "dev";
        }
    }
}
