package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import dev.kubegate.masking.HiddenValues;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.KnownValues;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.MaskRules;
import dev.kubegate.masking.MaskingException;
import dev.kubegate.masking.ResourceHint;
import dev.kubegate.masking.SecretValues;
import dev.kubegate.masking.WebSocketChannelMasker;
import dev.kubegate.masking.WholeObjectMasker;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.upstream.ResponseFilter;
import dev.kubegate.upstream.UpstreamFailure;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where and how an answer is masked (docs/architecture.md, step "Forward"), from the request's classification and the
 * policy decision's {@code mask}:
 * <ul>
 *   <li>resource requests (any verb: get, list, watch, and the objects create/update/patch/delete
 *       and dry runs echo back; subresources such as {@code status} or {@code scale}) → JSON masking;</li>
 *   <li>{@code pods/log} and the API server's own {@code /logs} → line masking with the log patterns;</li>
 *   <li>exec/attach over WebSocket → the stdout/stderr channels line-masked; over SPDY → refused
 *       (its frames are not inspected);</li>
 *   <li>for a pod's logs, exec and attach, when Secret values are masked ({@code mask.secrets}), the
 *       values of the Secrets that pod can read are masked by value too ({@link #withKnownValues},
 *       resolved by {@link KnownValueResolver} before the call is forwarded);</li>
 *   <li>{@code proxy} (pods, services, nodes — nodes/proxy reaches the kubelet's own logs, exec and
 *       pod specs) and any other connection upgrade (a watch over WebSocket) → refused: kubegate
 *       cannot mask what they carry;</li>
 *   <li>port-forward → passed (a raw TCP tunnel, gated by policy like exec); non-resource requests
 *       (discovery, /version, /openapi) → passed.</li>
 * </ul>
 * On masked routes the API server is asked for JSON (protobuf {@code Accept} rewritten, the
 * {@code as=Table} parameters kept) without compression ({@code Accept-Encoding} dropped: the
 * hop to the API server is the short one, and decompressing would cost more CPU than it saves); an
 * answer that still comes compressed or in a type kubegate cannot read is refused (fail closed).
 */
final class ResponseMasking {

    enum Route { NONE, JSON, TEXT, EXEC, REFUSE }

    static final ResponseMasking NONE = new ResponseMasking(Route.NONE, null, ResourceHint.NONE, null);

    private final Route route;
    private final MaskRules rules;
    private final ResourceHint hint;
    private final Status refusal;
    private final SecretValues known;
    private final boolean podStream;

    private ResponseMasking(Route route, MaskRules rules, ResourceHint hint, Status refusal) {
        this(route, rules, hint, refusal, new SecretValues(), false);
    }

    private ResponseMasking(Route route, MaskRules rules, ResourceHint hint, Status refusal, boolean podStream) {
        this(route, rules, hint, refusal, new SecretValues(), podStream);
    }

    // The plan's six facts, each a field; private: the factories below are the ways to build one.
    private ResponseMasking(Route route, MaskRules rules, ResourceHint hint, Status refusal, SecretValues known,
                            boolean podStream) {
        this.route = route;
        this.rules = rules;
        this.hint = hint;
        this.refusal = refusal;
        this.known = known;
        this.podStream = podStream;
    }

    /**
     * The same plan, also masking the values of the Secret a write changes as it is now: a JSON
     * patch {@code move} takes a value out of {@code data}, so the answer alone no longer shows it.
     */
    ResponseMasking knowing(com.fasterxml.jackson.databind.JsonNode current) {
        if (route != Route.JSON || hint != ResourceHint.SECRETS || current == null) {
            return this;
        }
        return new ResponseMasking(route, rules, hint, refusal,
                SecretValues.ofSecret(current.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), podStream);
    }

    /**
     * True for a pod's logs, exec or attach whose Secret values must be masked: the values of the
     * Secrets that pod can read are to be resolved and masked by value ({@link #withKnownValues}).
     */
    boolean needsKnownValues() {
        return podStream && rules.secrets();
    }

    /** The same plan, also masking these values in the stream. */
    ResponseMasking withKnownValues(KnownValues values) {
        return new ResponseMasking(route, rules.withKnownValues(values), hint, refusal, known, podStream);
    }

    Route route() {
        return route;
    }

    /** The 403 to answer instead of forwarding, or null. */
    Status refusal() {
        return refusal;
    }

    // One decision table read top to bottom (proxy, upgrades, logs, objects, node logs): split up, which
    // route a call takes would no longer be readable in one place.
    static ResponseMasking plan(RequestInfo info, boolean upgrade, String upgradeProtocol, PolicyDecision.Mask mask) {
        ResourceHint hint = hint(info);
        boolean json = mask.secrets() || !mask.keyPatterns().isEmpty() || mask.credentials() && hint.credentials();
        boolean text = !mask.logPatterns().isEmpty();
        boolean podText = text || mask.secrets(); // a pod's own output: patterns, and its Secrets' values
        boolean pod = info.isResourceRequest() && info.apiGroup().isEmpty() && "pods".equals(info.resource());
        if (!json && !text) {
            return NONE;
        }
        MaskRules rules = mask.rules();
        String sub = info.isResourceRequest() ? info.subresource() : "";
        if ("proxy".equals(info.verb()) || "proxy".equals(sub)) {
            return refuse("kubegate masks secrets in answers for this caller and cannot inspect what a proxy returns"
                    + " (" + info.describe() + "), so proxy calls are refused; read the object, its logs or use exec instead");
        }
        if (upgrade) {
            if ("portforward".equals(sub)) {
                return NONE;
            }
            if ("exec".equals(sub) || "attach".equals(sub)) {
                if (!(pod ? podText : text)) {
                    return NONE;
                }
                if (upgradeProtocol == null || !upgradeProtocol.strip().equalsIgnoreCase("websocket")) {
                    return refuse("kubegate masks credentials in " + sub + " output and can only do so over WebSocket;"
                            + " this client asked for " + upgradeProtocol + ". Use kubectl 1.30 or newer (WebSocket by default;"
                            + " do not set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)");
                }
                return new ResponseMasking(Route.EXEC, rules, ResourceHint.NONE, null, pod);
            }
            return refuse("kubegate masks secrets in answers for this caller and cannot inspect an upgraded connection for "
                    + info.describe() + "; make the call without Upgrade");
        }
        if (info.isResourceRequest()) {
            if ("log".equals(sub)) {
                return (pod ? podText : text) ? new ResponseMasking(Route.TEXT, rules, ResourceHint.NONE, null, pod) : NONE;
            }
            if (!json) {
                return NONE;
            }
            return new ResponseMasking(Route.JSON, rules, hint, null);
        }
        if (text && (info.path().equals("/logs") || info.path().startsWith("/logs/"))) {
            return new ResponseMasking(Route.TEXT, rules, ResourceHint.NONE, null);
        }
        return NONE;
    }

    /** What the request is for, as far as masking cares (Secrets, minted or echoed credentials). */
    static ResourceHint hint(RequestInfo info) {
        return info != null && info.isResourceRequest()
                ? ResourceHint.of(info.apiGroup(), info.resource(), info.subresource()) : ResourceHint.NONE;
    }

    /**
     * The values this plan hides from the caller in {@code current} (the object a write changes, as
     * it is), so that a text the API server writes about that object can be cleaned of them. Empty
     * when this caller's answers are not masked; null when it cannot tell.
     */
    SecretValues hiddenIn(com.fasterxml.jackson.databind.JsonNode current) {
        if (route != Route.JSON || current == null) {
            return new SecretValues();
        }
        try {
            byte[] raw = ERROR_JSON.writeValueAsBytes(current);
            byte[] masked = WholeObjectMasker.maskAll(WholeObjectMasker.forAnswer(rules, hint, known), raw);
            return HiddenValues.of(current, ERROR_JSON.readTree(masked));
        } catch (java.io.IOException | MaskingException e) {
            return null;
        }
    }

    /** Whether this caller's answers about the resource are masked at all. */
    boolean masksAnswers() {
        return route == Route.JSON;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper ERROR_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * An API server error, cleaned before it is relayed: every form of every {@code hidden} value is
     * replaced in each string of a JSON Status (message, causes, details) or in a plain-text body —
     * validation errors quote values, and a JSON patch can copy a Secret value into the field an error
     * quotes. About a Secret, its values are masked as in any Secret answer too. Null when the body
     * cannot be cleaned (another content type, or unreadable JSON): the caller withholds it.
     */
    static Buffer maskedError(RequestInfo info, String contentType, Buffer body, SecretValues hidden) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        boolean secrets = hint(info) == ResourceHint.SECRETS;
        if (hidden.isEmpty() && !secrets) {
            return body;
        }
        try {
            if (type.equals("text/plain") && !secrets) { // about a Secret only JSON, which the Secret masker reads
                return Buffer.buffer(hidden.redact(body.toString(java.nio.charset.StandardCharsets.UTF_8), JsonMasker.PLACEHOLDER));
            }
            if (!type.equals("application/json")) {
                return null;
            }
            byte[] bytes = body.getBytes();
            if (secrets) {
                bytes = WholeObjectMasker.maskAll(WholeObjectMasker.forAnswer(
                        PolicyDecision.Mask.SECRETS_ONLY.rules(), ResourceHint.SECRETS), bytes);
            }
            com.fasterxml.jackson.databind.JsonNode status = ERROR_JSON.readTree(bytes);
            return Buffer.buffer(ERROR_JSON.writeValueAsBytes(HiddenValues.redactStrings(status, hidden, JsonMasker.PLACEHOLDER)));
        } catch (java.io.IOException | MaskingException e) {
            return null;
        }
    }


    private static ResponseMasking refuse(String message) {
        return new ResponseMasking(Route.REFUSE, null, ResourceHint.NONE, Status.forbidden(message));
    }

    /** Adjusts the headers sent upstream so the answer comes in a form kubegate can mask. */
    void prepare(MultiMap upstreamHeaders) {
        switch (route) {
            case JSON -> {
                upstreamHeaders.remove(HttpHeaders.ACCEPT_ENCODING);
                upstreamHeaders.set(HttpHeaders.ACCEPT, jsonAccept(upstreamHeaders.getAll(HttpHeaders.ACCEPT)));
            }
            case TEXT -> upstreamHeaders.remove(HttpHeaders.ACCEPT_ENCODING);
            case EXEC -> upstreamHeaders.remove("Sec-WebSocket-Extensions"); // no permessage-deflate
            default -> {
            }
        }
    }

    /**
     * The client's Accept with every media range kubegate cannot mask (protobuf, YAML) turned into
     * JSON with the same parameters, so {@code as=Table;v=v1;g=meta.k8s.io} survives; ranges of other
     * types are dropped. JSON when nothing is left.
     */
    static String jsonAccept(java.util.List<String> accept) {
        Set<String> out = new LinkedHashSet<>();
        for (String header : accept) {
            for (String range : header.split(",")) {
                String r = range.strip();
                if (r.isEmpty()) {
                    continue;
                }
                int semi = r.indexOf(';');
                String type = (semi < 0 ? r : r.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
                String params = semi < 0 ? "" : r.substring(semi);
                switch (type) {
                    case "application/json", "*/*", "application/*" -> out.add(type + params);
                    case "application/vnd.kubernetes.protobuf", "application/yaml" ->
                            out.add("application/json" + params);
                    default -> {
                    }
                }
            }
        }
        return out.isEmpty() ? "application/json" : String.join(",", out);
    }

    /** Picks the masker for the answer's head; null when nothing is to be masked on this route. */
    ResponseFilter filter() {
        return switch (route) {
            case JSON, TEXT -> this::open;
            case EXEC -> (status, headers) -> {
                String protocol = headers.get("Sec-WebSocket-Protocol");
                return WebSocketChannelMasker.forProtocol(protocol, rules).orElseThrow(() -> withheld(
                        "the API server chose a stream protocol kubegate cannot mask (" + protocol + ")"));
            };
            default -> ResponseFilter.NONE;
        };
    }

    private dev.kubegate.masking.StreamMasker open(int status, MultiMap headers) {
        String encoding = headers.get(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            throw withheld("the API server sent it compressed (" + encoding + ")");
        }
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.strip().equals("0")) {
            return null;
        }
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.equals("application/json")) {
            return WholeObjectMasker.forAnswer(rules, hint, known);
        }
        if (route == Route.TEXT || (status >= 300 && type.equals("text/plain"))) {
            return LineMasker.of(rules); // logs; or an error message in plain text
        }
        if (status == 204 || status == 304) {
            return null;
        }
        throw withheld("it came as " + (contentType == null ? "no content type" : contentType) + ", not JSON");
    }

    private static UpstreamFailure withheld(String why) {
        return new UpstreamFailure(Status.internalError("kubegate must mask secrets in this answer and cannot: "
                + why + "; the answer is withheld"), null);
    }
}
