package dev.kubegate.inspect;

import java.util.Locale;

/**
 * How a request body's media type is read. JSON objects are decoded here; YAML, patches and
 * Kubernetes protobuf are resolved by the API server itself with a dry run, so policy sees the
 * object the call would really produce. YAML goes to the API server because YAML parsers disagree
 * (anchors and aliases, merge keys, 1.1 vs 1.2 scalars): a body kubegate read one way and the API
 * server another would let a privileged pod through.
 */
public enum BodyKind {
    /** {@code application/json}: the object itself. */
    JSON,
    /** {@code application/yaml}: resolved by a dry run. */
    YAML,
    /** merge, strategic-merge, JSON patch and server-side apply: resolved by a dry run. */
    PATCH,
    /** {@code application/vnd.kubernetes.protobuf} (kubectl create/run send it): resolved by a dry run. */
    PROTOBUF,
    /** Anything else: refused with 415. */
    UNSUPPORTED;

    public static BodyKind of(String contentType) {
        if (contentType == null) {
            return UNSUPPORTED;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/json" -> JSON;
            case "application/yaml" -> YAML;
            case "application/merge-patch+json", "application/strategic-merge-patch+json",
                 "application/json-patch+json", "application/apply-patch+yaml" -> PATCH;
            case "application/vnd.kubernetes.protobuf" -> PROTOBUF;
            default -> UNSUPPORTED;
        };
    }

    /** Whether the API server must resolve the body (dry run) before policy can see the object. */
    public boolean needsDryRun() {
        return this != JSON;
    }
}
