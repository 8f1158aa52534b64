package dev.kubegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/** Properties of the parser over generated and hostile input (jqwik). */
class RequestInfoProperties {

    // ---- generators --------------------------------------------------------------------------

    /** Fragments that exercise every refusal and classification branch, joined at random. */
    private static final String[] PATH_TOKENS = {
        "/", "/", "/", "api", "apis", "v1", "apps", "namespaces", "ns", "pods", "web", "exec", "attach",
        "watch", "proxy", "status", "finalize", ".", "..", "%2e", "%2E", "%2F", "%2f", "%5C", "%5c", "%", "%0",
        "%00", "%0a", "%zz", "%25", "%C3%A9", "%FF", "%C0%AE", "\\", ";", "?", "#", " ", "+", "\u00e9", "\u0000",
        "\u2028", "\ud83d\ude00", "\ud800", ":", "@", "~", "a.b", "x",
    };
    private static final String[] QUERY_TOKENS = {
        "watch", "=", "=", "&", "&", "true", "false", "FALSE", "fal%C5%BFe", "0", "fieldSelector", "metadata.name",
        "%3D", "%3d", "labelSelector", "limit", "timeoutSeconds", "-1", "abc", ";", "%", "%zz", "%FF", "+", "%2C",
        ",", "!", "(", ")", "in", "notin", " ", "\u00e9", "%5C", "\\", "%00", "a", "b", "#",
    };

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.oneOf(
                Arbitraries.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "CONNECT"),
                Arbitraries.strings().ofMaxLength(8));
    }

    /** Whole segments, mostly acceptable ones, so that many generated paths get past the refusals. */
    private static final String[] SEGMENT_TOKENS = {
        "api", "apis", "v1", "apps", "namespaces", "ns", "pods", "web", "exec", "watch", "proxy", "status", "finalize",
        ".", "..", "%2e", "%2E%2e", ".%2E", "...", "%2e%2e%2e", "a%2Fb", "%5C", "%25", "%2525", "a.b", "x", "",
    };

    @Provide
    Arbitrary<String> rawPaths() {
        Arbitrary<String> tokens = Arbitraries.of(PATH_TOKENS).list().ofMaxSize(14).map(l -> String.join("", l));
        Arbitrary<String> segments = Arbitraries.of(SEGMENT_TOKENS).list().ofMaxSize(6).map(l -> "/" + String.join("/", l));
        Arbitrary<String> apiSegments = Arbitraries.of("/api/v1", "/apis/apps/v1", "/api/v1/namespaces")
                .flatMap(prefix -> segments.map(rest -> prefix + rest));
        return Arbitraries.oneOf(apiSegments, apiSegments, segments, tokens.map(s -> "/" + s), tokens,
                Arbitraries.strings().ofMaxLength(30));
    }

    @Provide
    Arbitrary<String> rawQueries() {
        Arbitrary<String> tokens = Arbitraries.of(QUERY_TOKENS).list().ofMaxSize(12).map(l -> String.join("", l));
        return Arbitraries.oneOf(tokens, Arbitraries.strings().ofMaxLength(20), Arbitraries.just(null));
    }

    /** A well-formed resource request: decoded segments, and a seed for how to percent-encode them. */
    record Canonical(String method, List<String> segments, String apiPrefix, String apiGroup, String apiVersion,
            String namespace, List<String> parts, long encodingSeed) {

        String minimalPath() {
            return "/" + segments.stream().map(s -> encode(s, null)).collect(Collectors.joining("/"));
        }

        /** Percent-encodes a random choice of safe characters too, with random hex case. */
        String overEncodedPath() {
            Random random = new Random(encodingSeed);
            return "/" + segments.stream().map(s -> encode(s, random)).collect(Collectors.joining("/"));
        }
    }

    private static final Set<String> RESERVED_RESOURCE_WORDS = Set.of("namespaces", "watch", "proxy", "status", "finalize");

    /** Names, namespaces and extra parts: anything but empty, dot segments, separators and controls. */
    @Provide
    Arbitrary<String> segmentNames() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().withCharRange('a', 'z').withChars("0123456789-.").ofMinLength(1).ofMaxLength(20),
                        Arbitraries.strings().withChars("ab.-_~:@!$&'()*+,;=%?#[] \"<>^`{|}\u00e9\u2713\u00df")
                                .ofMinLength(1).ofMaxLength(12),
                        Arbitraries.strings().ofMinLength(1).ofMaxLength(8))
                .filter(s -> !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0 && s.indexOf('\\') < 0
                        && s.codePoints().noneMatch(Character::isISOControl)
                        && StandardCharsets.UTF_8.newEncoder().canEncode(s));
    }

    @Provide
    Arbitrary<Canonical> canonicalRequests() {
        Arbitrary<String> resource = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
                .filter(r -> !RESERVED_RESOURCE_WORDS.contains(r));
        Arbitrary<String> group = Arbitraries.oneOf(Arbitraries.of("apps", "batch", "rbac.authorization.k8s.io"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8).map(s -> s + ".example.com"));
        Arbitrary<Optional<String>> namespace = segmentNames().optional();
        Arbitrary<List<String>> tail = segmentNames().list().ofMaxSize(3); // name, subresource, more
        return Builders.withBuilder(() -> new Object[8])
                .use(Arbitraries.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")).in((b, v) -> set(b, 0, v))
                .use(Arbitraries.of("api", "apis")).in((b, v) -> set(b, 1, v))
                .use(group).in((b, v) -> set(b, 2, v))
                .use(Arbitraries.of("v1", "v1beta1", "v2alpha3")).in((b, v) -> set(b, 3, v))
                .use(namespace).in((b, v) -> set(b, 4, v))
                .use(resource).in((b, v) -> set(b, 5, v))
                .use(tail).in((b, v) -> set(b, 6, v))
                .use(Arbitraries.longs()).in((b, v) -> set(b, 7, v))
                .build(RequestInfoProperties::canonical);
    }

    private static Object[] set(Object[] builder, int index, Object value) {
        builder[index] = value;
        return builder;
    }

    @SuppressWarnings("unchecked")
    private static Canonical canonical(Object[] b) {
        String apiPrefix = (String) b[1];
        String apiGroup = apiPrefix.equals("api") ? "" : (String) b[2];
        String apiVersion = (String) b[3];
        String namespace = ((Optional<String>) b[4]).orElse("");
        List<String> parts = new ArrayList<>();
        parts.add((String) b[5]);
        parts.addAll((List<String>) b[6]);
        List<String> segments = new ArrayList<>();
        segments.add(apiPrefix);
        if (!apiGroup.isEmpty()) {
            segments.add(apiGroup);
        }
        segments.add(apiVersion);
        if (!namespace.isEmpty()) {
            segments.add("namespaces");
            segments.add(namespace);
        }
        segments.addAll(parts);
        return new Canonical((String) b[0], List.copyOf(segments), apiPrefix, apiGroup, apiVersion, namespace,
                List.copyOf(parts), (long) b[7]);
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters (random: of some of those too). */
    static String encode(String segment, Random random) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0);
            if (unreserved && (random == null || random.nextInt(4) != 0)) {
                out.append((char) c);
            } else {
                String hex = String.format("%%%02X", c);
                out.append(random != null && random.nextBoolean() ? hex.toLowerCase() : hex);
            }
        }
        return out.toString();
    }

    // ---- properties --------------------------------------------------------------------------

    @Property(tries = 3000)
    void parseThrowsNothingButInvalidRequest(@ForAll("methods") String method, @ForAll("rawPaths") String rawPath,
            @ForAll("rawQueries") String rawQuery, @ForAll boolean upgrade) {
        try {
            RequestInfoParser.parse(method, rawPath, rawQuery, upgrade);
        } catch (InvalidRequestException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void acceptedRequestsHaveNoSlashInNamesAndNoDotSegments(@ForAll("methods") String method,
            @ForAll("rawPaths") String rawPath, @ForAll("rawQueries") String rawQuery, @ForAll boolean upgrade) {
        RequestInfo info;
        try {
            info = RequestInfoParser.parse(method, rawPath, rawQuery, upgrade);
        } catch (InvalidRequestException refused) {
            return;
        }
        for (String field : List.of(info.namespace(), info.name(), info.resource(), info.subresource(),
                info.apiGroup(), info.apiVersion())) {
            assertThat(field).doesNotContain("/").doesNotContain("\\");
            assertThat(field.codePoints().noneMatch(Character::isISOControl)).isTrue();
        }
        List<String> decoded = Arrays.asList(info.path().substring(1).split("/", -1));
        List<String> inner = info.path().endsWith("/") ? decoded.subList(0, decoded.size() - 1) : decoded;
        assertThat(info.path()).startsWith("/");
        if (!info.path().equals("/")) {
            assertThat(inner).doesNotContain("", ".", "..");
        }
        // An independent normaliser leaves every accepted path as it is.
        try {
            URI uri = new URI("http://h" + rawPath);
            assertThat(uri.normalize().getRawPath()).isEqualTo(rawPath);
        } catch (URISyntaxException notAUriJavaAccepts) {
            // e.g. '"' or '{': legal for Go, which is what matters; nothing to compare with.
        }
    }

    @Property(tries = 2000)
    void canonicalRequestsParseTotallyAndReencodeToTheirPath(@ForAll("canonicalRequests") Canonical request) {
        String rawPath = request.minimalPath();

        RequestInfo info = RequestInfoParser.parse(request.method(), rawPath, null, true);

        assertThat(info.isResourceRequest()).isTrue();
        assertThat(info.apiPrefix()).isEqualTo(request.apiPrefix());
        assertThat(info.apiGroup()).isEqualTo(request.apiGroup());
        assertThat(info.apiVersion()).isEqualTo(request.apiVersion());
        assertThat(info.namespace()).isEqualTo(request.namespace());
        assertThat(info.resource()).isEqualTo(request.parts().get(0));
        assertThat(info.parts()).isEqualTo(request.parts());
        assertThat(info.path()).isEqualTo("/" + String.join("/", request.segments()));
        assertThat(reencode(info)).isEqualTo(rawPath);
    }

    @Property(tries = 2000)
    void percentEncodingChoicesDoNotChangeTheClassification(@ForAll("canonicalRequests") Canonical request) {
        RequestInfo minimal = RequestInfoParser.parse(request.method(), request.minimalPath(), null, true);
        RequestInfo overEncoded = RequestInfoParser.parse(request.method(), request.overEncodedPath(), null, true);

        assertThat(overEncoded).isEqualTo(minimal);
    }

    @Property(tries = 1000)
    void dotSegmentsAreRefusedHoweverEncoded(@ForAll("canonicalRequests") Canonical request,
            @ForAll("dotSegments") String dots) {
        List<String> segments = new ArrayList<>(request.segments());
        segments.add(Math.min(3, segments.size()), dots);
        String rawPath = "/" + String.join("/", segments.stream().map(s -> s.equals(dots) ? s : encode(s, null)).toList());

        assertThatCode(() -> RequestInfoParser.parse(request.method(), rawPath, null, true))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("dot segment");
    }

    @Provide
    Arbitrary<String> dotSegments() {
        Arbitrary<String> dot = Arbitraries.of(".", "%2e", "%2E");
        return Arbitraries.oneOf(dot, Builders.withBuilder(() -> "").use(dot).in(String::concat).use(dot).in(String::concat)
                .build());
    }

    /** The path a client would send for this RequestInfo. */
    private static String reencode(RequestInfo info) {
        List<String> segments = new ArrayList<>();
        segments.add(info.apiPrefix());
        if (!info.apiGroup().isEmpty()) {
            segments.add(info.apiGroup());
        }
        segments.add(info.apiVersion());
        boolean namespaceItself = info.parts().get(0).equals("namespaces");
        if (!info.namespace().isEmpty() && !namespaceItself) {
            segments.add("namespaces");
            segments.add(info.namespace());
        }
        segments.addAll(info.parts());
        return "/" + segments.stream().map(s -> encode(s, null)).collect(Collectors.joining("/"));
    }

    // ---- query and selector properties ------------------------------------------------------

    @Provide
    Arbitrary<List<Tuple2<String, String>>> queryPairs() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12)
                .filter(s -> StandardCharsets.UTF_8.newEncoder().canEncode(s));
        return Arbitraries.oneOf(text, Arbitraries.of("a", "b", "watch")).tuple2().map(t -> Tuple.of(t.get1(), t.get2()))
                .list().ofMaxSize(6);
    }

    @Property(tries = 2000)
    void queryParamsRoundTripFormEncodedPairs(@ForAll("queryPairs") List<Tuple2<String, String>> pairs) {
        String raw = pairs.stream()
                .map(p -> URLEncoder.encode(p.get1(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(p.get2(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Map<String, List<String>> expected = new LinkedHashMap<>();
        pairs.forEach(p -> expected.computeIfAbsent(p.get1(), k -> new ArrayList<>()).add(p.get2()));

        assertThat(QueryParams.parse(raw).asMap()).containsExactlyEntriesOf(expected);
    }

    @Property(tries = 2000)
    void queryParsingThrowsNothingButInvalidRequest(@ForAll("rawQueries") String rawQuery) {
        try {
            QueryParams.parse(rawQuery);
        } catch (InvalidRequestException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void selectorParsersThrowNothingButDecodeException(@ForAll("selectorText") String selector) {
        try {
            LabelSelector.validate(selector);
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            FieldSelector.parse(selector).requiresExactMatch("metadata.name");
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> selectorText() {
        return Arbitraries.oneOf(
                Arbitraries.of("x", "in", "notin", "=", "==", "!=", "!", "(", ")", ",", ">", "<", " ", "\t", "\0", "\\",
                        "a.b/c", "-", "1", "metadata.name", "\u00e9").list().ofMaxSize(10).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Property(tries = 2000)
    void goStringOrderIsUtf8ByteOrder(@ForAll String a, @ForAll String b) {
        var encoder = StandardCharsets.UTF_8.newEncoder();
        if (!encoder.canEncode(a) || !encoder.canEncode(b)) {
            return;
        }
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

        assertThat(Integer.signum(GoCompat.compareUtf8(a, b))).isEqualTo(expected);
    }
}
