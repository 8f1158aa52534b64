package dev.kubegate.load;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** Small blocking helpers for set-up calls (seeding, probes) made from the main thread. */
final class Http {

    record Response(int status, Buffer body) {
        String text() {
            return body.toString();
        }
    }

    private Http() {
    }

    static Future<Response> send(HttpClient client, RequestOptions ro, Buffer body) {
        ro.setIdleTimeout(60_000);
        return client.request(ro)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b)));
    }

    static Response call(HttpClient client, Endpoint ep, HttpMethod method, String path, String contentType, String body) {
        RequestOptions ro = ep.request(method, path);
        if (contentType != null) {
            ro.putHeader("Content-Type", contentType);
        }
        return await(send(client, ro, body == null ? null : Buffer.buffer(body)), Duration.ofSeconds(60));
    }

    static <T> T await(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().toString(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e.toString(), e);
        }
    }
}
