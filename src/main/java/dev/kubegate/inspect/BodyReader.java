package dev.kubegate.inspect;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body that policy must see, never more than the limit: a declared length over it
 * is refused before a byte is read, and an undeclared one is cut off as soon as it passes it.
 */
public final class BodyReader {

    private BodyReader() {
    }

    /** The whole body of the (paused) request, or an {@link InspectionException} with a 413/400 Status. */
    public static Future<Buffer> read(HttpServerRequest req, long maxBytes) {
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                return Future.failedFuture(new InspectionException(Status.badRequest("invalid Content-Length: " + declared)));
            }
            if (n > maxBytes) {
                return Future.failedFuture(tooLarge(maxBytes));
            }
        }
        if (req.isEnded()) {
            // Ended before anyone read it (an HTTP/2 request whose headers closed the stream): there
            // is no body, and Vert.x would refuse a handler on it ("Request has already been read").
            return Future.succeededFuture(Buffer.buffer());
        }
        Promise<Buffer> body = Promise.promise();
        Buffer buf = Buffer.buffer();
        req.handler(chunk -> {
            if (buf.length() + chunk.length() > maxBytes) {
                req.pause();
                body.tryFail(tooLarge(maxBytes));
                return;
            }
            buf.appendBuffer(chunk);
        });
        req.exceptionHandler(body::tryFail);
        req.endHandler(v -> body.tryComplete(buf));
        req.resume();
        return body.future();
    }

    private static InspectionException tooLarge(long max) {
        return new InspectionException(Status.tooLarge("the request body is larger than kubegate accepts (" + max + " bytes)"));
    }
}
