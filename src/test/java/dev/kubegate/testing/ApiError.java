package dev.kubegate.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A failure answered as a Kubernetes {@code Status} whose {@code code} equals the HTTP status.
 * Messages and reasons follow the apiserver's wording so clients print what they would print
 * against a real cluster ("Error from server (NotFound): pods "x" not found").
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;
    final String reason;
    final ObjectNode details;

    ApiError(int code, String reason, String message, ObjectNode details) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    ObjectNode status() {
        ObjectNode s = Json.object();
        s.put("kind", "Status").put("apiVersion", "v1").set("metadata", Json.object());
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (details != null) {
            s.set("details", details);
        }
        return s.put("code", code);
    }

    static ObjectNode success(ObjectNode details) {
        ObjectNode s = Json.object();
        s.put("kind", "Status").put("apiVersion", "v1").set("metadata", Json.object());
        s.put("status", "Success");
        if (details != null) {
            s.set("details", details);
        }
        return s;
    }

    static ObjectNode details(ResourceType t, String name) {
        ObjectNode d = Json.object();
        if (name != null) {
            d.put("name", name);
        }
        if (!t.group().isEmpty()) {
            d.put("group", t.group());
        }
        return d.put("kind", t.name());
    }

    static ApiError notFound(ResourceType t, String name) {
        return new ApiError(404, "NotFound", t.qualified() + " \"" + name + "\" not found", details(t, name));
    }

    static ApiError notFound() {
        return new ApiError(404, "NotFound", "the server could not find the requested resource", Json.object());
    }

    static ApiError alreadyExists(ResourceType t, String name) {
        return new ApiError(409, "AlreadyExists", t.qualified() + " \"" + name + "\" already exists", details(t, name));
    }

    static ApiError conflict(ResourceType t, String name, String why) {
        return new ApiError(409, "Conflict",
                "Operation cannot be fulfilled on " + t.qualified() + " \"" + name + "\": " + why, details(t, name));
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequest", message, null);
    }

    static ApiError invalid(ResourceType t, String name, String field, String message) {
        ObjectNode d = Json.object().put("name", name == null ? "" : name);
        if (!t.group().isEmpty()) {
            d.put("group", t.group());
        }
        d.put("kind", t.kind());
        d.putArray("causes").addObject().put("reason", "FieldValueInvalid").put("message", message).put("field", field);
        return new ApiError(422, "Invalid",
                t.kind() + " \"" + (name == null ? "" : name) + "\" is invalid: " + field + ": " + message, d);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "Unauthorized", "Unauthorized", null);
    }

    static ApiError forbidden(ResourceType t, String name, String message) {
        return new ApiError(403, "Forbidden", message, t == null ? null : details(t, name));
    }

    static ApiError methodNotAllowed() {
        return new ApiError(405, "MethodNotAllowed",
                "the server does not allow this method on the requested resource", Json.object());
    }

    static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                        + "application/json-patch+json, application/merge-patch+json, "
                        + "application/apply-patch+yaml, application/strategic-merge-patch+json (got " + contentType + ")",
                null);
    }

    static ApiError gone(String message) {
        return new ApiError(410, "Expired", message, null);
    }
}
