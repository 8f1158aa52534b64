package dev.kubegate.inspect;

import dev.kubegate.k8s.MediaType;

import java.util.Optional;

/**
 * How a request body's media type is read. JSON objects are decoded here; YAML, patches and
 * Kubernetes protobuf are resolved by the API server itself with a dry run, so policy sees the
 * object the call would really produce. YAML goes to the API server because YAML parsers disagree
 * (anchors and aliases, merge keys, 1.1 vs 1.2 scalars): a body kubegate read one way and the API
 * server another would let a privileged pod through.
 */
public enum BodyKind {
    /** {@code application/json}, and POST/PUT/DELETE without a Content-Type: the object itself. */
    JSON,
    /** {@code application/yaml}: resolved by a dry run. */
    YAML,
    /** merge, strategic-merge, JSON patch and server-side apply: resolved by a dry run. */
    PATCH,
    /** {@code application/vnd.kubernetes.protobuf} (kubectl create/run send it): resolved by a dry run. */
    PROTOBUF;

    /**
     * The kind of body the API server decodes for {@code method} and this {@code Content-Type}
     * (see {@link MediaType#of}); empty when the API server answers 415.
     */
    public static Optional<BodyKind> of(String method, String contentType) {
        return MediaType.of(method, contentType).map(BodyKind::ofMediaType);
    }

    static BodyKind ofMediaType(String type) {
        return switch (type) {
            case MediaType.JSON -> JSON;
            case MediaType.YAML -> YAML;
            case MediaType.PROTOBUF -> PROTOBUF;
            default -> PATCH;
        };
    }

    /** Whether the API server must resolve the body (dry run) before policy can see the object. */
    public boolean needsDryRun() {
        return this != JSON;
    }
}
