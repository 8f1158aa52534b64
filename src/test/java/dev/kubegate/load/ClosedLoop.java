package dev.kubegate.load;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * A closed-loop load: {@code concurrency} requests in flight, each slot sending its next request as
 * soon as the previous one has been read to its end; a warm-up whose results are dropped, then a
 * measured window. Latency is from sending the request to the last byte of the response, in an
 * HdrHistogram (µs, 3 significant digits). Everything runs on one Vert.x context, so no locks.
 *
 * <p>CPU time of the given processes is sampled from /proc at the edges of the measured window.
 */
final class ClosedLoop {

    /** One measured run. {@code cpu}: CPU seconds per pid in the window; {@code busiest}: busiest thread per pid. */
    record Result(long requests, long errors, double seconds, long bytes, Histogram latencyMicros,
            Map<Long, Double> cpu, Map<Long, Map.Entry<String, Double>> busiest, String firstError) {

        double perSecond() {
            return requests / seconds;
        }
    }

    private final Context ctx;
    private final HttpClient client;
    private final Endpoint ep;
    private final String path;
    private final int concurrency;
    private final long warmupNanos;
    private final long durationNanos;
    private final List<Long> pids;

    // state: touched only on ctx
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private long measureStart;
    private long measureEnd;
    private long requests;
    private long errors;
    private long bytes;
    private int running;
    private String firstError;
    private Promise<Void> finished;

    ClosedLoop(Vertx vertx, HttpClient client, Endpoint ep, String path, int concurrency, Duration warmup,
            Duration duration, List<Long> pids) {
        this.ctx = vertx.getOrCreateContext();
        this.client = client;
        this.ep = ep;
        this.path = path;
        this.concurrency = concurrency;
        this.warmupNanos = warmup.toNanos();
        this.durationNanos = duration.toNanos();
        this.pids = pids;
    }

    Result run() {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpu-sampler");
            t.setDaemon(true);
            return t;
        });
        try {
            long start = System.nanoTime();
            measureStart = start + warmupNanos;
            measureEnd = measureStart + durationNanos;
            var before = sampler.schedule(() -> sample(), warmupNanos, TimeUnit.NANOSECONDS);
            var after = sampler.schedule(() -> sample(), warmupNanos + durationNanos, TimeUnit.NANOSECONDS);
            Promise<Void> done = Promise.promise();
            ctx.runOnContext(v -> {
                finished = done;
                running = concurrency;
                for (int i = 0; i < concurrency; i++) {
                    next();
                }
            });
            Http.await(done.future(), Duration.ofNanos(warmupNanos + durationNanos).plusSeconds(120));
            Map<Long, ProcessStats.CpuSample> b = before.get();
            Map<Long, ProcessStats.CpuSample> a = after.get();
            Map<Long, Double> cpu = new LinkedHashMap<>();
            Map<Long, Map.Entry<String, Double>> busiest = new LinkedHashMap<>();
            for (long pid : pids) {
                cpu.put(pid, a.get(pid).since(b.get(pid)));
                busiest.put(pid, a.get(pid).busiestThread(b.get(pid)));
            }
            Promise<Result> result = Promise.promise();
            ctx.runOnContext(v -> result.complete(new Result(requests, errors, durationNanos / 1e9, bytes,
                    latency.copy(), cpu, busiest, firstError)));
            return Http.await(result.future(), Duration.ofSeconds(10));
        } catch (Exception e) {
            throw new IllegalStateException("load run failed: " + e, e);
        } finally {
            sampler.shutdownNow();
        }
    }

    private Map<Long, ProcessStats.CpuSample> sample() {
        Map<Long, ProcessStats.CpuSample> m = new LinkedHashMap<>();
        for (long pid : pids) {
            m.put(pid, ProcessStats.cpu(pid));
        }
        return m;
    }

    private void next() {
        if (System.nanoTime() >= measureEnd) {
            if (--running == 0) {
                finished.complete();
            }
            return;
        }
        long sent = System.nanoTime();
        RequestOptions ro = ep.request(HttpMethod.GET, path).setIdleTimeout(30_000);
        client.request(ro)
                .compose(req -> req.send())
                .compose(resp -> {
                    long[] n = {0};
                    resp.handler(buf -> n[0] += buf.length());
                    return resp.end().map(v -> resp.statusCode() == 200 ? n[0] : -resp.statusCode());
                })
                .onComplete(ar -> {
                    long end = System.nanoTime();
                    if (end >= measureStart && end <= measureEnd) {
                        if (ar.succeeded() && ar.result() >= 0) {
                            requests++;
                            bytes += ar.result();
                            latency.recordValue(Math.max(1, (end - sent) / 1000));
                        } else {
                            errors++;
                            if (firstError == null) {
                                firstError = ar.succeeded() ? "HTTP " + -ar.result() : String.valueOf(ar.cause());
                            }
                        }
                    }
                    if (ar.failed()) {
                        // back off a little so a dead target does not spin
                        ctx.owner().setTimer(10, id -> next());
                    } else {
                        next();
                    }
                });
    }
}
