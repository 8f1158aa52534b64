package dev.kubegate.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.Status;
import dev.kubegate.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.time.Duration;

/**
 * Asks the API server what a write would produce, without persisting it: the same call, as the same
 * impersonated caller, with {@code dryRun=All}, answered in JSON. That is how YAML, patches (merge,
 * strategic, JSON, server-side apply) and protobuf bodies become the object policy judges — decoded
 * and merged by the API server itself, so kubegate and the cluster cannot read them differently.
 *
 * <p>A refusal of the dry run (404 for a patch of a missing object, 403 from RBAC, 422 invalid) is
 * what the real call would get: it is relayed as is, and nothing is forwarded.
 */
public final class DryRun {

    /** The API server's answer: the object, or the Status JSON to relay with its code. */
    public record Result(JsonNode object, int errorCode, Buffer errorBody, String errorContentType) {
        public boolean ok() {
            return object != null;
        }
    }

    private final UpstreamClient upstream;
    private final long maxResponseBytes;
    private final long timeoutMs;

    public DryRun(UpstreamClient upstream, long maxResponseBytes, Duration timeout) {
        this.upstream = upstream;
        this.maxResponseBytes = maxResponseBytes;
        this.timeoutMs = timeout.toMillis();
    }

    public Future<Result> resolve(HttpMethod method, String uri, MultiMap headers, Buffer body) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        h.set("Accept", "application/json");
        h.remove("Accept-Encoding");
        h.remove("Transfer-Encoding");
        h.set("Content-Length", Integer.toString(body.length()));
        return upstream.request(method, withDryRun(uri), h)
                .compose(req -> {
                    req.idleTimeout(timeoutMs);
                    return req.send(body);
                })
                .compose(resp -> readBounded(resp).map(whole -> resp.statusCode() / 100 != 2
                        ? new Result(null, resp.statusCode(), whole, resp.getHeader("Content-Type"))
                        : new Result(ObjectDecoder.decode(whole.getBytes()), 0, null, null)))
                .recover(e -> Future.failedFuture(e instanceof InspectionException ? e
                        : new InspectionException(Status.serviceUnavailable(
                        "kubegate could not resolve the object this call would produce (dry run): " + Status.describe(e)))));
    }

    /**
     * The object as it is now ({@code input.oldObject} for update, patch and delete), read as the
     * same impersonated caller; null when it does not exist or the caller may not read it (the
     * write itself will then be judged, and refused, by the API server).
     */
    public Future<JsonNode> current(String path, MultiMap headers) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        h.set("Accept", "application/json");
        h.remove("Accept-Encoding");
        h.remove("Content-Type");
        h.remove("Content-Length");
        h.remove("Transfer-Encoding");
        return upstream.request(HttpMethod.GET, path, h)
                .compose(req -> {
                    req.idleTimeout(timeoutMs);
                    return req.send();
                })
                .compose(resp -> resp.statusCode() == 200 ? readBounded(resp).map(b -> ObjectDecoder.decode(b.getBytes()))
                        : resp.body().map(ignored -> (JsonNode) null))
                .recover(e -> Future.failedFuture(e instanceof InspectionException ? e
                        : new InspectionException(Status.serviceUnavailable(
                        "kubegate could not read the current object this call changes: " + Status.describe(e)))));
    }

    private Future<Buffer> readBounded(io.vertx.core.http.HttpClientResponse resp) {
        Promise<Buffer> read = Promise.promise();
        Buffer b = Buffer.buffer();
        resp.handler(chunk -> {
            if (b.length() + chunk.length() > maxResponseBytes) {
                resp.request().reset();
                read.tryFail(new InspectionException(Status.tooLarge(
                        "the object this call concerns is larger than kubegate inspects (" + maxResponseBytes + " bytes)")));
            } else {
                b.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(read::tryFail);
        resp.endHandler(v -> read.tryComplete(b));
        return read.future();
    }

    /** The URI with {@code dryRun=All} added (kept once if the client already asked for it). */
    static String withDryRun(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri + "?dryRun=All";
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.equals("dryRun=All")) {
                return uri;
            }
        }
        return uri + "&dryRun=All";
    }
}
