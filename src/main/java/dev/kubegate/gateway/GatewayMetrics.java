package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics of the Kubernetes traffic. Label values come from the classification (bounded:
 * verbs and resources the API server knows), never from names, namespaces or paths of non-resource
 * requests, so the series count stays bounded whatever clients send.
 */
final class GatewayMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> masked = new ConcurrentHashMap<>();
    final AtomicInteger openWatches = new AtomicInteger();
    final AtomicInteger openExecSessions = new AtomicInteger();
    final AtomicInteger openStreams = new AtomicInteger();

    private record Key(String verb, String group, String resource, String subresource, int code) {
    }

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("kubegate.watches.open", openWatches);
        registry.gauge("kubegate.exec.sessions.open", openExecSessions);
        registry.gauge("kubegate.streams.open", openStreams);
    }

    /** One finished request; {@code latency} is the time until the response started. */
    void record(RequestInfo info, int code, Duration latency) {
        Key key = info == null
                ? new Key("unknown", "", "", "", code)
                : info.isResourceRequest()
                ? new Key(info.verb(), info.apiGroup(), info.resource(), info.subresource(), code)
                : new Key(info.verb(), "", "nonresource", "", code);
        timers.computeIfAbsent(key, k -> Timer.builder("kubegate.requests")
                .description("Kubernetes API calls through kubegate, by verb, resource and answer; time until the answer started")
                .tag("verb", k.verb()).tag("group", k.group()).tag("resource", k.resource())
                .tag("subresource", k.subresource()).tag("code", Integer.toString(k.code()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)).record(latency);
    }

    /** Values masked in one answer, counted by resource ({@code kubegate_masked_values_total{resource}}). */
    void masked(RequestInfo info, long count) {
        if (count <= 0) {
            return;
        }
        String resource = info == null ? "" : info.isResourceRequest()
                ? (info.subresource().isEmpty() ? info.resource() : info.resource() + "/" + info.subresource()) : "nonresource";
        masked.computeIfAbsent(resource, r -> Counter.builder("kubegate.masked.values")
                .description("values masked in answers (JSON fields, log and exec text ranges), by resource")
                .tag("resource", r).register(registry)).increment(count);
    }

    /** A call kubegate refused itself; {@code reason} is a Status reason. */
    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("kubegate.refusals")
                .description("calls answered by kubegate with an error Status, by reason")
                .tag("reason", r).register(registry)).increment();
    }
}
