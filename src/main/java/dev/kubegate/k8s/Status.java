package dev.kubegate.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A Kubernetes {@code meta/v1 Status}: the only shape of error kubegate ever answers with, so that
 * kubectl and client-go print it like any API server error. The HTTP status always equals {@link #code()}.
 *
 * @param code    HTTP status code
 * @param reason  machine-readable StatusReason ("Forbidden", "ServiceUnavailable", ...)
 * @param message human-readable explanation, written for the agent reading it
 * @param causes  optional field-level causes (details.causes)
 * @param detailsName optional {@code details.name}: the object the status is about (e.g. an approval id)
 * @param detailsKind optional {@code details.kind} of that object
 * @param retryAfterSeconds when above 0, {@code details.retryAfterSeconds} and the {@code Retry-After}
 *                          header: client-go waits that long and retries (429 and 503 carry it by default)
 */
public record Status(int code, String reason, String message, List<Cause> causes, String detailsName, String detailsKind,
                     int retryAfterSeconds) {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Seconds a client is told to wait before retrying a 429 or 503 of kubegate's own: the API
     * server's own answer to overload ({@code Retry-After: 1}); client-go retries such calls up to
     * ten times, so a short wait rides out a restart or a store failover without the agent noticing.
     */
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;

    public record Cause(String reason, String message, String field) {
    }

    public Status {
        causes = causes == null ? List.of() : List.copyOf(causes);
        reason = reason == null || reason.isBlank() ? "Unknown" : reason;
        // A readable sentence always: never an empty message, never the text "null".
        message = message == null || message.isBlank() ? "kubegate refused the call (" + code + " " + reason + ")" : message;
    }

    /**
     * The readable text of a failure, for a message: its message, else its type (an exception without
     * a message would otherwise print as {@code "null"}).
     */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown cause";
        }
        String m = failure.getMessage();
        return m == null || m.isBlank() ? failure.getClass().getSimpleName() : m;
    }

    /** A value a client sent (a header, a parameter), quoted, or {@code (none)} when it sent none. */
    public static String quoted(String value) {
        return value == null ? "(none)" : "\"" + value + "\"";
    }

    public Status(int code, String reason, String message, List<Cause> causes, String detailsName, String detailsKind) {
        this(code, reason, message, causes, detailsName, detailsKind, retryable(code) ? DEFAULT_RETRY_AFTER_SECONDS : 0);
    }

    public Status(int code, String reason, String message, List<Cause> causes) {
        this(code, reason, message, causes, null, null);
    }

    /** The codes client-go retries when the answer carries {@code Retry-After}. */
    private static boolean retryable(int code) {
        return code == 429 || code == 503;
    }

    /** The same status naming the object it is about in {@code details} (clients read the id there). */
    public Status withDetails(String name, String kind) {
        return new Status(code, reason, message, causes, name, kind, retryAfterSeconds);
    }

    /** The same status telling the client to retry after {@code seconds} (0: no such advice). */
    public Status withRetryAfter(int seconds) {
        return new Status(code, reason, message, causes, detailsName, detailsKind, Math.max(0, seconds));
    }

    /** The {@code Retry-After} header value to send with this status, or null when none is due. */
    public String retryAfterHeader() {
        return retryAfterSeconds > 0 ? Integer.toString(retryAfterSeconds) : null;
    }

    /** The API server's usual reason for an HTTP status code ({@code metav1.StatusReason}); {@code Unknown} otherwise. */
    public static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 406 -> "NotAcceptable";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "Unknown";
        };
    }

    public static Status badRequest(String message) {
        return new Status(400, "BadRequest", message, null);
    }

    public static Status unauthorized(String message) {
        return new Status(401, "Unauthorized", message, null);
    }

    public static Status forbidden(String message) {
        return new Status(403, "Forbidden", message, null);
    }

    public static Status notFound(String message) {
        return new Status(404, "NotFound", message, null);
    }

    public static Status methodNotAllowed(String message) {
        return new Status(405, "MethodNotAllowed", message, null);
    }

    public static Status tooLarge(String message) {
        return new Status(413, "RequestEntityTooLarge", message, null);
    }

    public static Status unsupportedMediaType(String message) {
        return new Status(415, "UnsupportedMediaType", message, null);
    }

    public static Status invalid(String message, List<Cause> causes) {
        return new Status(422, "Invalid", message, causes);
    }

    public static Status tooManyRequests(String message) {
        return new Status(429, "TooManyRequests", message, null);
    }

    public static Status internalError(String message) {
        return new Status(500, "InternalError", message, null);
    }

    public static Status serviceUnavailable(String message) {
        return new Status(503, "ServiceUnavailable", message, null);
    }

    /** The API server's own reason for 504 is "Timeout". */
    public static Status gatewayTimeout(String message) {
        return new Status(504, "Timeout", message, null);
    }

    /** {@code {"kind":"Status","apiVersion":"v1",...}} exactly as the API server writes it. */
    public String toJson() {
        StringWriter out = new StringWriter(128 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeTo(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A watch {@code ERROR} event carrying this Status, as the API server ends a broken watch. */
    public String toWatchErrorEvent() {
        StringWriter out = new StringWriter(160 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "ERROR");
            g.writeFieldName("object");
            writeTo(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    private void writeTo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", "Status");
        g.writeStringField("apiVersion", "v1");
        g.writeObjectFieldStart("metadata");
        g.writeEndObject();
        g.writeStringField("status", "Failure");
        g.writeStringField("message", message);
        g.writeStringField("reason", reason);
        boolean details = !causes.isEmpty() || detailsName != null || detailsKind != null || retryAfterSeconds > 0;
        if (details) {
            g.writeObjectFieldStart("details");
            if (detailsName != null) g.writeStringField("name", detailsName);
            if (detailsKind != null) g.writeStringField("kind", detailsKind);
        }
        if (!causes.isEmpty()) {
            g.writeArrayFieldStart("causes");
            for (Cause c : causes) {
                g.writeStartObject();
                if (c.reason() != null) g.writeStringField("reason", c.reason());
                if (c.message() != null) g.writeStringField("message", c.message());
                if (c.field() != null) g.writeStringField("field", c.field());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (retryAfterSeconds > 0) {
            g.writeNumberField("retryAfterSeconds", retryAfterSeconds);
        }
        if (details) {
            g.writeEndObject();
        }
        g.writeNumberField("code", code);
        g.writeEndObject();
    }
}
