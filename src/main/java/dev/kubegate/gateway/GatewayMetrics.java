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
 * Prometheus metrics of the Kubernetes traffic, named by Prometheus' conventions (unit in the name,
 * {@code _total} on counters; docs/observability.md lists them). Label values come from
 * {@link MetricLabels} — fixed sets of verbs, built-in resources and subresources, else {@code other} —
 * never from names, namespaces or paths, so the series count stays bounded whatever clients send.
 */
final class GatewayMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> masked = new ConcurrentHashMap<>();
    final AtomicInteger openWatches = new AtomicInteger();
    final AtomicInteger openExecSessions = new AtomicInteger();
    final AtomicInteger openStreams = new AtomicInteger();
    final AtomicInteger heldForApproval = new AtomicInteger();

    private record Key(MetricLabels.Call call, int code) {
    }

    GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("kubegate.watches.open", openWatches);
        registry.gauge("kubegate.exec.sessions.open", openExecSessions);
        registry.gauge("kubegate.streams.open", openStreams);
        registry.gauge("kubegate.approval.held.calls", heldForApproval);
    }

    /** One finished request; {@code latency} is the time until the response started. */
    void record(RequestInfo info, int code, Duration latency) {
        Key key = new Key(MetricLabels.of(info), code < 100 || code > 599 ? 0 : code);
        timers.computeIfAbsent(key, k -> Timer.builder("kubegate.http.server.request.duration")
                .description("Kubernetes API calls through kubegate, by verb, resource and HTTP status; time until the answer started")
                .tag("verb", k.call().verb()).tag("group", k.call().group()).tag("resource", k.call().resource())
                .tag("subresource", k.call().subresource()).tag("code", Integer.toString(k.code()))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)).record(latency);
    }

    /** Values masked in one answer, counted by resource ({@code kubegate_masked_values_total{resource}}). */
    void masked(RequestInfo info, long count) {
        if (count <= 0) {
            return;
        }
        masked.computeIfAbsent(MetricLabels.resourcePath(info), r -> Counter.builder("kubegate.masked.values")
                .description("values masked in answers (JSON fields, log and exec text ranges), by resource")
                .tag("resource", r).register(registry)).increment(count);
    }

    /** A call kubegate refused itself; {@code reason} is a Status reason (a fixed set in kubegate's code). */
    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("kubegate.refusals")
                .description("calls answered by kubegate with an error Status, by reason")
                .tag("reason", r).register(registry)).increment();
    }
}
