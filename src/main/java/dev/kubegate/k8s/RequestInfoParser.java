package dev.kubegate.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Classifies a Kubernetes API request exactly as the API server does: a port of
 * {@code RequestInfoFactory.NewRequestInfo} ({@code k8s.io/apiserver/pkg/endpoints/request/requestinfo.go})
 * with API prefixes {@code api} and {@code apis}, of which {@code api} has no group, and with the
 * {@code AuthorizeWithSelectors} feature on (its default since Kubernetes 1.32).
 *
 * <p>Before classifying, the request line is checked for forms the API server, an intermediary or
 * the upstream routing could read differently from this parser; those are refused with
 * {@link InvalidRequestException} rather than guessed at (see {@link #parse}).
 *
 * <p>Deliberate differences from Go, each failing closed:
 * <ul>
 *   <li>WebSocket {@code exec}/{@code attach}/{@code portforward} on core pods arrive as GET and the
 *       API server's RequestInfo calls them {@code get}; here they are {@code create} (see {@link #parse}).</li>
 *   <li>Refused inputs (see {@link #parse}); Go accepts most of them and classifies them literally.</li>
 *   <li>{@code /api/v1/watch} or {@code /api/v1/proxy} without a resource: Go returns an error (the
 *       server answers 500); here it is an {@link InvalidRequestException} (400).</li>
 *   <li>A {@code watch} value that API server versions, or its two decoding paths, read differently
 *       (only "false" spelt with U+017F, which case-folds to 's') is refused.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestInfoParser {

    private static final Set<String> API_PREFIXES = Set.of("api", "apis");
    private static final Set<String> GROUPLESS_API_PREFIXES = Set.of("api");
    /** Verbs that may lead the path after the version: {@code /api/v1/watch/pods}. */
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    private static final Set<String> SPECIAL_VERBS_NO_SUBRESOURCES = Set.of("proxy");
    /** {@code /namespaces/{name}/status} is the namespace's own subresource, not a resource in it. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    private static final Set<String> VERBS_WITH_SELECTORS = Set.of("list", "watch", "deletecollection");
    private static final Set<String> POD_STREAMING_SUBRESOURCES = Set.of("exec", "attach", "portforward");
    private static final String TCHARS = "!#$%&'*+-.^_`|~";

    private RequestInfoParser() {
    }

    /**
     * Classifies one request.
     *
     * <p>Refused, with a message naming the problem: a path not starting with {@code /}; raw
     * characters outside printable ASCII, or {@code ?}, {@code #}, {@code \} in the path; empty
     * segments ({@code //}; one trailing {@code /} is fine, the API server trims it); {@code .} and
     * {@code ..} segments, also percent-encoded; an encoded {@code /} or {@code \} ({@code %2F},
     * {@code %5C}); invalid percent escapes; control characters or non-UTF-8 bytes once decoded;
     * anything {@link QueryParams#parse} refuses, a {@code ;} in the query among them; an ambiguous
     * {@code watch} value; and a GET or HEAD on core {@code pods/exec|attach|portforward} that is
     * not a connection upgrade.
     *
     * <p>Why: the API server classifies the decoded path literally, but routers, proxies and the
     * server's own mux may normalise dot segments, double slashes, encoded slashes or backslashes,
     * so policy would judge one object while another is served. No valid object, namespace or
     * resource name needs any of these.
     *
     * <p>Streaming pod subresources: SPDY clients POST to {@code pods/{name}/exec}, which is
     * {@code create}; WebSocket clients must use GET, which RequestInfo calls {@code get}. Since
     * Kubernetes 1.35 ({@code AuthorizePodWebsocketUpgradeCreatePermission}, beta, on by default) the
     * pod registry also demands {@code create} for those GETs, through a second authorization
     * check; RequestInfo itself is unchanged. Starting a process or a tunnel is what policy must
     * judge, so here such a GET is {@code create}, on every cluster version. A GET there that is not
     * an upgrade cannot stream anything and would only open room for gateway and API server to
     * disagree on what an upgrade is, so it is refused.
     *
     * @param method the HTTP method as received (case-sensitive, as in Go)
     * @param rawPath the request path as received: percent-encoded, without the query
     * @param rawQuery the raw query without {@code ?}; {@code null} or empty when there is none
     * @param upgradeRequest whether the request asks for a connection upgrade (WebSocket or SPDY)
     * @throws InvalidRequestException for the inputs listed above
     */
    public static RequestInfo parse(String method, String rawPath, String rawQuery, boolean upgradeRequest) {
        return parseWithQuery(method, rawPath, QueryParams.parse(rawQuery), upgradeRequest);
    }

    /** As {@link #parse(String, String, String, boolean)}, for a caller that already parsed the query. */
    public static RequestInfo parseWithQuery(String method, String rawPath, QueryParams query, boolean upgradeRequest) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        checkMethod(method);
        DecodedPath decoded = decodePath(rawPath);
        return classify(method, decoded, query, upgradeRequest);
    }

    private static RequestInfo classify(String method, DecodedPath decoded, QueryParams query, boolean upgrade) {
        String path = decoded.path();
        List<String> current = decoded.segments();
        // Start as a non-resource request until proven otherwise.
        String verb = method.toLowerCase(Locale.ROOT);
        if (current.size() < 3 || !API_PREFIXES.contains(current.get(0))) {
            return nonResource(path, verb, "");
        }
        String apiPrefix = current.get(0);
        current = current.subList(1, current.size());
        String apiGroup = "";
        if (!GROUPLESS_API_PREFIXES.contains(apiPrefix)) {
            // One part (the prefix) is consumed already: this asks "are there four parts?".
            if (current.size() < 3) {
                return nonResource(path, verb, apiPrefix); // Go has set APIPrefix by now
            }
            apiGroup = current.get(0);
            current = current.subList(1, current.size());
        }
        String apiVersion = current.get(0);
        current = current.subList(1, current.size());

        // Input of the form /{specialVerb}/*
        boolean verbViaPathPrefix = SPECIAL_VERBS.contains(current.get(0));
        if (verbViaPathPrefix) {
            if (current.size() < 2) {
                throw new InvalidRequestException("unable to determine kind and namespace from url " + path);
            }
            verb = current.get(0);
            current = current.subList(1, current.size());
        } else {
            verb = switch (method) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }

        // URL forms /namespaces/{namespace}/{kind}/*: parts become relative to the kind.
        String namespace = "";
        if (current.get(0).equals("namespaces") && current.size() > 1) {
            namespace = current.get(1);
            // A further step that is not a namespace subresource is a resource in its own right.
            if (current.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(current.get(2))) {
                current = current.subList(2, current.size());
            }
        }
        List<String> parts = current;

        // parts: resource/name/subresource/other/stuff/not/interpreted
        String resource = parts.get(0);
        String name = parts.size() >= 2 ? parts.get(1) : "";
        String subresource = parts.size() >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.contains(verb) ? parts.get(2) : "";

        // No name and a get: the verb is list or watch, and a metadata.name field selector names the object.
        if (name.isEmpty() && verb.equals("get")) {
            String watch = query.first("watch").orElse("");
            if (ListOptions.convertBool(watch) != ListOptions.lenientBool(watch)) {
                // "falſe": list for current API servers, watch for older ones and after a decoding error.
                throw new InvalidRequestException("ambiguous watch value \"" + watch + "\": use true or false");
            }
            ListOptions options;
            try {
                options = ListOptions.decode(query);
            } catch (DecodeException e) {
                options = ListOptions.afterDecodeError(query);
            }
            verb = options.watch() ? "watch" : "list";
            String selected = options.fieldSelector().requiresExactMatch("metadata.name").orElse("");
            if (isValidPathSegmentName(selected)) {
                name = selected;
            }
        }
        // No name and a delete: the verb is deletecollection.
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }

        // AuthorizeWithSelectors: raw selectors for verbs that honour them, read straight from the
        // query (not from the decoded options, which a decoding error would lose). The deprecated
        // watch-via-path endpoints do not support selectors consistently, so they get none.
        String fieldSelector = "";
        String labelSelector = "";
        if (!verbViaPathPrefix && VERBS_WITH_SELECTORS.contains(verb)) {
            fieldSelector = query.first("fieldSelector").orElse("");
            labelSelector = query.first("labelSelector").orElse("");
        }

        // kubegate: WebSocket exec/attach/portforward are create (see parse).
        if (verb.equals("get") && apiPrefix.equals("api") && apiGroup.isEmpty() && resource.equals("pods")
                && POD_STREAMING_SUBRESOURCES.contains(subresource)) {
            if (!upgrade) {
                throw new InvalidRequestException(method + " on pods/" + subresource
                        + " must be a connection upgrade (WebSocket); use POST for SPDY");
            }
            verb = "create";
        }

        return new RequestInfo(true, path, verb, apiPrefix, apiGroup, apiVersion, namespace, resource,
                subresource, name, parts, fieldSelector, labelSelector);
    }

    private static RequestInfo nonResource(String path, String verb, String apiPrefix) {
        return new RequestInfo(false, path, verb, apiPrefix, "", "", "", "", "", "", List.of(), "", "");
    }

    /** {@code path.IsValidPathSegmentName}: not "." or "..", no '/' or '%'. */
    private static boolean isValidPathSegmentName(String name) {
        return !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('%') < 0;
    }

    /** HTTP methods are tokens (RFC 9110); anything else is no request the API server would serve. */
    private static void checkMethod(String method) {
        boolean token = !method.isEmpty();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            token &= c < 0x80 && (Character.isLetterOrDigit(c) || TCHARS.indexOf(c) >= 0);
        }
        if (!token) {
            throw new InvalidRequestException("invalid HTTP method \"" + method + "\"");
        }
    }

    private record DecodedPath(String path, List<String> segments) {
    }

    /**
     * The path as the API server's {@code req.URL.Path} holds it, and its segments as
     * {@code splitPath} gives them, after refusing every form that could be read two ways.
     */
    private static DecodedPath decodePath(String rawPath) {
        if (!rawPath.startsWith("/")) {
            throw new InvalidRequestException("path must start with '/'");
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '\\') {
                // Raw non-ASCII and controls depend on how the HTTP layer transcoded bytes; '?' and '#'
                // cannot be in a path; '\' is read as '/' by some intermediaries.
                throw new InvalidRequestException("path contains a character that must be percent-encoded: "
                        + GoCompat.describeChar(c));
            }
        }
        String body = rawPath.substring(1);
        if (body.isEmpty()) {
            return new DecodedPath("/", List.of());
        }
        boolean trailingSlash = body.endsWith("/");
        if (trailingSlash) {
            body = body.substring(0, body.length() - 1);
        }
        List<String> segments = new ArrayList<>();
        for (String raw : body.split("/", -1)) {
            if (raw.isEmpty()) {
                throw new InvalidRequestException("path contains an empty segment ('//')");
            }
            segments.add(checkSegment(GoCompat.unescape(raw, false, "path"), raw));
        }
        String path = "/" + String.join("/", segments) + (trailingSlash ? "/" : "");
        return new DecodedPath(path, List.copyOf(segments));
    }

    private static String checkSegment(String segment, String raw) {
        if (segment.indexOf('/') >= 0) {
            // The API server would split the name here; some proxies split before decoding, some after.
            throw new InvalidRequestException("path segment \"" + raw + "\" contains an encoded '/' (%2F)");
        }
        if (segment.indexOf('\\') >= 0) {
            throw new InvalidRequestException("path segment \"" + raw + "\" contains an encoded '\\' (%5C)");
        }
        if (segment.equals(".") || segment.equals("..")) {
            // Literal to the API server, but removed or resolved by URL normalisation elsewhere.
            throw new InvalidRequestException("path contains a dot segment \"" + raw + "\"");
        }
        if (segment.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("path segment \"" + raw + "\" contains a control character");
        }
        return segment;
    }
}
