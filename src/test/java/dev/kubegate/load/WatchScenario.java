package dev.kubegate.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

import org.HdrHistogram.Histogram;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;

/**
 * Many concurrent watches on one ConfigMap: open them all and check each is established (its first
 * event — the initial ADDED — has arrived), measure the serving process's heap per open watch (used
 * heap after a forced full GC, before and after), change the ConfigMap a few times and check every
 * watch sees every change (and how long the fan-out takes), then cancel them all and check the
 * watches end at the API server too. A separate probe checks whether a watch with nothing to send
 * yet gets its response headers (client-go waits for them before it returns from Watch()).
 */
final class WatchScenario {

    static final String NAMESPACE = "load-watch";
    static final String NAME = "watched";
    static final String PATH = "/api/v1/namespaces/" + NAMESPACE + "/configmaps";

    record Result(String target, int requested, int established, int failed, double establishSeconds,
            Histogram establishMicros, long heapBefore, long heapAfter, long rssBefore, long rssAfter, int events, long delivered, long expected,
            Histogram deliveryMicros, int upstreamBefore, int upstreamOpen, int upstreamAfterClose,
            int gatewayOpen, int gatewayAfterClose, double closeSeconds, Boolean headersWithoutEvent,
            double headersMillis, String firstError) {

        /** Heap per established watch in bytes, or -1 when not measured. */
        long heapPerWatch() {
            return heapBefore < 0 || heapAfter < 0 || established == 0 ? -1 : (heapAfter - heapBefore) / established;
        }

        /** Growth of the resident set per established watch (includes off-heap TLS/Netty buffers; noisy). */
        long rssPerWatch() {
            return rssBefore < 0 || rssAfter < 0 || established == 0 ? -1 : (rssAfter - rssBefore) / established;
        }
    }

    /** Reads a gauge of open watches; -1 when unknown. */
    interface Gauge extends IntSupplier {
    }

    private final class Watch {
        HttpClientRequest req;
        long opened;
        boolean established;
        boolean ended;
        final StringBuilder carry = new StringBuilder();
        final boolean[] seen;

        Watch(int events) {
            seen = new boolean[events + 1];
        }
    }

    private final Vertx vertx;
    private final Context ctx;
    private final Endpoint ep;
    private final HttpClient client;
    private final Endpoint direct;
    private final HttpClient control;
    private final int count;
    private final int events;
    private final Gauge upstreamWatches;
    private final Gauge gatewayWatches;
    private final String mark = "m" + Long.toString(System.nanoTime(), 36);

    // state on ctx
    private final List<Watch> watches = new ArrayList<>();
    private final Histogram establish = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private final Histogram delivery = new Histogram(TimeUnit.SECONDS.toMicros(300), 3);
    private int established;
    private int failed;
    private int nextToOpen;
    private String firstError;
    private Promise<Void> allOpen;
    private final AtomicLongArray sentAt;
    private final AtomicLong delivered = new AtomicLong();

    WatchScenario(Vertx vertx, Endpoint ep, HttpClient client, Endpoint direct, HttpClient control, int count,
            int events, Gauge upstreamWatches, Gauge gatewayWatches) {
        this.vertx = vertx;
        this.ctx = vertx.getOrCreateContext();
        this.ep = ep;
        this.client = client;
        this.direct = direct;
        this.control = control;
        this.count = count;
        this.events = events;
        this.sentAt = new AtomicLongArray(events + 1);
        this.upstreamWatches = upstreamWatches;
        this.gatewayWatches = gatewayWatches;
    }

    /** Creates the watched ConfigMap if missing (through the direct endpoint). */
    static void seed(HttpClient control, Endpoint direct) {
        Seeder.ensureNamespace(control, direct, NAMESPACE);
        Http.Response r = Http.call(control, direct, HttpMethod.POST, PATH, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + NAME + "\"},\"data\":{\"mark\":\"initial\"}}");
        if (r.status() != 201 && r.status() != 409) {
            throw new IllegalStateException("cannot create configmap " + NAMESPACE + "/" + NAME + ": " + r.status() + " " + r.text());
        }
    }

    Result run() throws InterruptedException {
        int upstreamBefore = upstreamWatches.getAsInt();
        Probe probe = headersProbe();
        // the probe's cancel has to reach the API server before we count again
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (upstreamWatches.getAsInt() > upstreamBefore && System.nanoTime() < settle) {
            Thread.sleep(50);
        }
        long heapBefore = ProcessStats.heapAfterGc(ep.pid());
        long rssBefore = ProcessStats.rss(ep.pid());

        // 1. open them all, at most 200 still waiting for their first event at a time
        long t0 = System.nanoTime();
        Promise<Void> opened = Promise.promise();
        ctx.runOnContext(v -> {
            allOpen = opened;
            for (int i = 0; i < Math.min(200, count); i++) {
                openNext();
            }
        });
        try {
            Http.await(opened.future(), Duration.ofSeconds(120));
        } catch (IllegalStateException timeout) {
            System.err.println("watches: not all established within 120 s");
        }
        double establishSeconds = (System.nanoTime() - t0) / 1e9;

        // 2. heap with every watch open, after things settle
        Thread.sleep(2000);
        long heapAfter = ProcessStats.heapAfterGc(ep.pid());
        long rssAfter = ProcessStats.rss(ep.pid());
        int upstreamOpen = upstreamWatches.getAsInt();
        int gatewayOpen = gatewayWatches.getAsInt();

        // 3. changes: each must reach every established watch
        for (int k = 1; k <= events; k++) {
            sentAt.set(k, System.nanoTime());
            Http.Response r = Http.call(control, direct, HttpMethod.PATCH, PATH + "/" + NAME, "application/merge-patch+json",
                    "{\"data\":{\"mark\":\"" + mark + "." + k + "\"}}");
            if (r.status() != 200) {
                throw new IllegalStateException("patch failed: " + r.status() + " " + r.text());
            }
            Thread.sleep(200);
        }
        long expected = (long) onCtx(() -> established) * events;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        // 4. cancel every watch; the API server must see them go
        long c0 = System.nanoTime();
        onCtx(() -> {
            for (Watch w : watches) {
                if (w.req != null) {
                    w.req.reset();
                }
            }
            return null;
        });
        int upstreamAfter = upstreamWatches.getAsInt();
        int gatewayAfter = gatewayWatches.getAsInt();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((upstreamAfter > upstreamBefore || gatewayAfter > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            upstreamAfter = upstreamWatches.getAsInt();
            gatewayAfter = gatewayWatches.getAsInt();
        }
        double closeSeconds = (System.nanoTime() - c0) / 1e9;
        int gatewayAfterFinal = gatewayAfter;
        int upstreamAfterFinal = upstreamAfter;
        return onCtx(() -> new Result(ep.name(), count, established, failed, establishSeconds, establish.copy(),
                heapBefore, heapAfter, rssBefore, rssAfter, events, delivered.get(), expected, delivery.copy(), upstreamBefore, upstreamOpen,
                upstreamAfterFinal, gatewayOpen, gatewayAfterFinal, closeSeconds, probe.headers, probe.millis, firstError));
    }

    private void openNext() {
        if (nextToOpen >= count) {
            return;
        }
        nextToOpen++;
        Watch w = new Watch(events);
        watches.add(w);
        w.opened = System.nanoTime();
        client.request(ep.request(HttpMethod.GET, PATH + "?watch=true"))
                .compose(req -> {
                    w.req = req;
                    return req.send();
                })
                .onComplete(ar -> {
                    if (ar.failed() || ar.result().statusCode() != 200) {
                        fail(w, ar.failed() ? String.valueOf(ar.cause()) : "HTTP " + ar.result().statusCode());
                        return;
                    }
                    var resp = ar.result();
                    resp.handler(buf -> onData(w, buf));
                    resp.exceptionHandler(e -> w.ended = true);
                    resp.endHandler(v -> w.ended = true);
                });
    }

    private void fail(Watch w, String why) {
        failed++;
        if (firstError == null) {
            firstError = why;
        }
        settled();
    }

    private void settled() {
        if (established + failed == count) {
            allOpen.tryComplete();
        } else {
            openNext();
        }
    }

    private void onData(Watch w, Buffer buf) {
        long now = System.nanoTime();
        w.carry.append(buf.toString());
        int nl;
        while ((nl = w.carry.indexOf("\n")) >= 0) {
            String line = w.carry.substring(0, nl);
            w.carry.delete(0, nl + 1);
            if (!w.established) {
                w.established = true;
                established++;
                establish.recordValue(Math.max(1, (now - w.opened) / 1000));
                settled();
            }
            int at = line.indexOf("\"mark\":\"" + mark + ".");
            if (at >= 0) {
                int from = at + mark.length() + 9;
                int k = Integer.parseInt(line.substring(from, line.indexOf('"', from)));
                if (k >= 1 && k <= events && !w.seen[k]) {
                    w.seen[k] = true;
                    delivery.recordValue(Math.max(1, (now - sentAt.get(k)) / 1000));
                    delivered.incrementAndGet();
                }
            }
        }
    }

    private record Probe(Boolean headers, double millis) {
    }

    /**
     * One watch from the current resourceVersion, so there is no initial event: do its response
     * headers arrive anyway (the API server flushes them at once)?
     */
    private Probe headersProbe() {
        Http.Response list = Http.call(client, ep, HttpMethod.GET, PATH + "?limit=1", null, null);
        String rv = Seeder.listResourceVersion(list.text());
        long t0 = System.nanoTime();
        HttpClientRequest[] req = {null};
        try {
            var resp = Http.await(client.request(ep.request(HttpMethod.GET, PATH + "?watch=true&resourceVersion=" + rv))
                    .compose(r -> {
                        req[0] = r;
                        return r.send();
                    }), Duration.ofSeconds(3));
            return new Probe(resp.statusCode() == 200, (System.nanoTime() - t0) / 1e6);
        } catch (IllegalStateException timeout) {
            return new Probe(false, (System.nanoTime() - t0) / 1e6);
        } finally {
            if (req[0] != null) {
                req[0].reset();
            }
        }
    }

    private <T> T onCtx(java.util.function.Supplier<T> s) {
        Promise<T> p = Promise.promise();
        ctx.runOnContext(v -> p.complete(s.get()));
        return Http.await(p.future(), Duration.ofSeconds(30));
    }
}
