package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

import java.time.Instant;

/**
 * Asks the API server's {@code /readyz} with the gateway's own identity every few seconds, so the
 * readiness probe answers from memory (it must not block, nor hammer the API server once per probe).
 */
public final class UpstreamProbe {

    private static final long PERIOD_MS = 5_000;
    private static final long TIMEOUT_MS = 4_000;

    /** The latest answer: whether the API server is usable, and why not. */
    public record Result(boolean ok, String detail, Instant at) {
    }

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private volatile Result last = new Result(false, "not probed yet", Instant.now());
    private long timer = -1;

    public UpstreamProbe(Vertx vertx, UpstreamClient upstream) {
        this.vertx = vertx;
        this.upstream = upstream;
    }

    public void start() {
        probe();
        timer = vertx.setPeriodic(PERIOD_MS, id -> probe());
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public Result last() {
        return last;
    }

    private void probe() {
        if (!upstream.credentials().ready()) {
            last = new Result(false, "the gateway's upstream credentials could not be refreshed: " + upstream.describe(), Instant.now());
            return;
        }
        upstream.request(HttpMethod.GET, "/readyz", MultiMap.caseInsensitiveMultiMap())
                .compose(req -> {
                    req.idleTimeout(TIMEOUT_MS);
                    return req.send();
                })
                .compose(resp -> resp.body().map(body -> {
                    int code = resp.statusCode();
                    return switch (code) {
                        case 200 -> new Result(true, "ok", Instant.now());
                        case 401, 403 -> new Result(false, "the API server refused the gateway's own identity on /readyz ("
                                + code + "); check " + upstream.describe(), Instant.now());
                        default -> new Result(false, "the API server answered /readyz with " + code + ": "
                                + body.toString().lines().limit(5).reduce("", (a, b) -> a + b + " ").strip(), Instant.now());
                    };
                }))
                .onComplete(ar -> last = ar.succeeded() ? ar.result()
                        : new Result(false, "the API server is unreachable: " + Status.describe(ar.cause()), Instant.now()));
    }
}
