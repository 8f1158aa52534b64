package dev.kubegate.policy;

import dev.kubegate.masking.LineMasker;
import dev.kubegate.k8s.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.identity.Principal;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides calls with the loaded policy: {@link #decide(PolicyInput)}. Loads the bundle (built-in or
 * {@code kubegate.policy.bundle}) and data ({@code kubegate.policy.data}) at {@link #start()},
 * watches both files and swaps in a new policy when they change — after it loaded and answered a
 * probe with a valid decision; a change that fails keeps the previous policy. Fails closed: with no
 * policy loaded, or when an evaluation or its decision fails, {@code decide} fails with
 * {@link PolicyUnavailableException}. Threading: see the package documentation.
 */
public final class PolicyEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PolicyEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param bundle         external bundle (.tar.gz from opa build, or a bare .wasm); the built-in pack when empty
     * @param data           JSON object merged over the bundle's data (objects key by key, anything else replaced)
     * @param poolSize       policy instances, i.e. evaluations in parallel
     * @param reloadInterval how often the files are checked for changes
     * @param maxQueued      evaluations waiting for an instance before further ones fail (503)
     * @param queueTimeout   how long an evaluation may wait for an instance
     * @param decisionCacheSize decisions kept per policy generation for calls without a body ({@link DecisionCache}); 0: none
     */
    public record Options(Optional<Path> bundle, Optional<Path> data, int poolSize, Duration reloadInterval,
                          int maxQueued, Duration queueTimeout, int decisionCacheSize) {

        /** With the default decision cache. */
        public Options(Optional<Path> bundle, Optional<Path> data, int poolSize, Duration reloadInterval,
                       int maxQueued, Duration queueTimeout) {
            this(bundle, data, poolSize, reloadInterval, maxQueued, queueTimeout, DEFAULT_DECISION_CACHE_SIZE);
        }

        public static final int DEFAULT_DECISION_CACHE_SIZE = 10_000;

        public Options {
            Objects.requireNonNull(bundle, "bundle");
            Objects.requireNonNull(data, "data");
            if (poolSize < 1) {
                throw new IllegalArgumentException("kubegate.policy.pool-size must be at least 1");
            }
            if (decisionCacheSize < 0) {
                throw new IllegalArgumentException("kubegate.policy.decision-cache-size must not be negative");
            }
        }

        public static Options defaults() {
            return new Options(Optional.empty(), Optional.empty(), 2 * Runtime.getRuntime().availableProcessors(),
                    Duration.ofSeconds(2), 1024, Duration.ofSeconds(5));
        }
    }

    /**
     * What is loaded, for readiness, metrics and audit records.
     *
     * @param revision     sha256 of the bundle bytes, 12 hex digits
     * @param dataRevision sha256 of the effective data document (bundle data merged with kubegate.policy.data), 12 hex digits
     * @param source       where the bundle came from
     * @param mode         how it is evaluated (see {@link WasmPolicy})
     * @param loadedAt     when it was swapped in
     */
    public record Loaded(String revision, String dataRevision, String source, String mode, Instant loadedAt) {
    }

    /** One bundle + data, compiled and pooled, with its decisions. Swapped as a whole. */
    private record Generation(Loaded loaded, PolicyBundle bundle, WasmPolicy policy, EvaluatorPool pool,
                              Fingerprint files, DecisionCache cache) {
    }

    /** What the watched files looked like when loaded: modification time and size of each. */
    private record Fingerprint(List<Object> parts) {
    }

    private final Options options;
    private final ExecutorService workers;
    private final ScheduledExecutorService watcher;
    private volatile Generation current;
    private volatile String lastError;
    private volatile Fingerprint failedFiles; // the file state that last failed: not retried until it changes

    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder approvals = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();

    public PolicyEngine(Options options) {
        this.options = options;
        AtomicInteger n = new AtomicInteger();
        // Workers only evaluate (never wait), so one per CPU suffices; the pool bounds their queue.
        this.workers = Executors.newFixedThreadPool(Math.min(options.poolSize(), Runtime.getRuntime().availableProcessors()),
                r -> daemon(r, "kubegate-policy-" + n.incrementAndGet()));
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kubegate-policy-watch"));
    }

    /**
     * Loads the policy and starts watching its files. Blocks (file reads, compilation: ~1 s): call
     * it at start-up, off the event loop. A policy that does not load is logged and leaves the
     * engine refusing every decision until a valid one appears; it does not throw.
     */
    public void start() {
        reload();
        if (options.bundle().isPresent() || options.data().isPresent()) {
            long ms = options.reloadInterval().toMillis();
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** The decision for {@code input}. Never blocks; may complete on the calling thread. */
    public CompletionStage<PolicyDecision> decide(PolicyInput input) {
        Generation g = current;
        if (g == null) {
            failures.increment();
            return CompletableFuture.failedFuture(new PolicyUnavailableException(
                    "no policy is loaded" + (lastError == null ? "" : ": " + lastError)));
        }
        DecisionCache.Key key;
        byte[] json;
        try {
            key = g.cache().keyOf(input);
            PolicyDecision known = key == null ? null : g.cache().get(key);
            if (known != null) {
                return CompletableFuture.completedFuture(count(known));
            }
            json = input.toJson();
        } catch (RuntimeException e) {
            failures.increment();
            return CompletableFuture.failedFuture(new PolicyUnavailableException("the policy input cannot be serialised: " + e, e));
        }
        CompletableFuture<PolicyDecision> decision = new CompletableFuture<>();
        g.pool().evaluate(json)
                .orTimeout(options.queueTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((result, error) -> {
                    try {
                        if (error != null) {
                            throw unavailable(g, error);
                        }
                        PolicyDecision d = parse(g, result);
                        if (key != null) {
                            g.cache().put(key, d);
                        }
                        decision.complete(count(d));
                    } catch (PolicyUnavailableException e) {
                        failures.increment();
                        decision.completeExceptionally(e);
                    }
                });
        return decision;
    }

    private static PolicyDecision parse(Generation g, byte[] result) {
        try {
            return PolicyDecision.parse(result);
        } catch (IllegalArgumentException e) {
            throw new PolicyUnavailableException("policy " + g.loaded().revision() + " returned a malformed decision: " + Status.describe(e));
        }
    }

    private static PolicyUnavailableException unavailable(Generation g, Throwable error) {
        Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof PolicyUnavailableException p) {
            return p;
        }
        if (e instanceof TimeoutException) {
            return new PolicyUnavailableException("no policy instance became free in " + g.pool().size + " instances' time; the gateway is overloaded", e);
        }
        return new PolicyUnavailableException("policy " + g.loaded().revision() + " failed to evaluate: " + e, e);
    }

    private PolicyDecision count(PolicyDecision d) {
        (d.allow() ? allowed : d.approval().required() ? approvals : denied).increment();
        return d;
    }

    /** What is loaded now; empty while no policy could be loaded. */
    public Optional<Loaded> loaded() {
        Generation g = current;
        return g == null ? Optional.empty() : Optional.of(g.loaded());
    }

    /** The bundle revision (sha256, 12 hex digits) of the policy deciding now; empty when none. */
    public Optional<String> revision() {
        return loaded().map(Loaded::revision);
    }

    /** Why the last load or reload failed; empty after a success. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public long allowed() { return allowed.sum(); }

    public long denied() { return denied.sum(); }

    public long approvalsRequired() { return approvals.sum(); }

    /** Decisions that could not be made (each one a 503). */
    public long failures() { return failures.sum(); }

    public long reloads() { return reloads.sum(); }

    public long reloadFailures() { return reloadFailures.sum(); }

    /** Decisions answered from the decision cache. */
    public long cacheHits() { return cacheHits.sum(); }

    /** Cacheable calls that were evaluated (their decision was not known yet). */
    public long cacheMisses() { return cacheMisses.sum(); }

    /** Reloads if the bundle or data file changed since the last attempt; run by the watcher. */
    void reloadIfChanged() {
        try {
            Fingerprint now = fingerprint();
            Generation g = current;
            if ((g == null || !now.equals(g.files())) && !now.equals(failedFiles)) {
                reload();
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "policy watcher failed");
        }
    }

    /**
     * Loads bundle and data now, probes the result and swaps it in; keeps the current policy on
     * failure. Blocks. Returns whether the new policy is in use.
     */
    public synchronized boolean reload() {
        Fingerprint files = fingerprint();
        Generation old = current;
        long started = System.nanoTime();
        try {
            Generation g = load(old, files);
            current = g;
            lastError = null;
            failedFiles = null;
            if (old != null) {
                reloads.increment();
            }
            Loaded l = g.loaded();
            LOG.infof("policy %s (data %s) from %s is in use (%s, %d instances, loaded in %d ms)%s", l.revision(),
                    l.dataRevision(), l.source(), l.mode(), g.pool().size, (System.nanoTime() - started) / 1_000_000,
                    old == null ? "" : ", replacing " + old.loaded().revision());
            return true;
        } catch (Exception | StackOverflowError e) {
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            failedFiles = files;
            reloadFailures.increment();
            if (old == null) {
                LOG.errorf("no policy could be loaded, every Kubernetes call will be refused (503): %s", lastError);
            } else {
                LOG.errorf("policy change rejected, policy %s stays in use: %s", old.loaded().revision(), lastError);
            }
            return false;
        }
    }

    private Generation load(Generation old, Fingerprint files) throws IOException {
        PolicyBundle bundle = options.bundle().isPresent()
                ? PolicyBundle.parse(Files.readAllBytes(options.bundle().get()), options.bundle().get().toString())
                : PolicyBundle.builtIn();
        ObjectNode data = bundle.data().deepCopy();
        if (options.data().isPresent()) {
            Path p = options.data().get();
            JsonNode doc;
            try {
                doc = JSON.readTree(Files.readAllBytes(p));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException("kubegate.policy.data " + p + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (!(doc instanceof ObjectNode obj)) {
                throw new IOException("kubegate.policy.data " + p + " must hold a JSON object");
            }
            PolicyBundle.merge(data, obj);
        }
        byte[] dataJson = JSON.writeValueAsBytes(data);
        // A data-only change reuses the compiled module: no recompilation.
        WasmPolicy policy = old != null && old.bundle().revision().equals(bundle.revision())
                ? old.policy()
                : WasmPolicy.load(bundle.wasm(), WasmPolicy.Mode.SHARED_COMPILED);
        EvaluatorPool pool = new EvaluatorPool(policy, dataJson, options.poolSize(), workers, options.maxQueued());
        byte[] probe = PROBE.toJson();
        pool.forEachIdle(e -> {
            try {
                // the log patterns' automata are built here, off the event loop, not by the first log stream
                LineMasker.prepare(PolicyDecision.parse(e.evaluate(probe)).mask().logRegexes());
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("the policy's decision for a probe (get pods in namespace default) is malformed: "
                        + malformed.getMessage(), malformed);
            }
        });
        Loaded loaded = new Loaded(bundle.revision(), PolicyBundle.revisionOf(dataJson), bundle.source(),
                policy.mode.name().toLowerCase().replace('_', '-'), Instant.now());
        InputReads reads = InputReads.derive(bundle.rego(), data.path("kubegate").get("decisionCacheInputs"));
        if (options.decisionCacheSize() > 0) {
            LOG.infof("policy %s decisions are %s", bundle.revision(), reads.cacheable()
                    ? "cached by " + reads.paths().stream().map(p -> "input." + String.join(".", p)).toList()
                    : "not cached: " + reads.whyNot().orElse(""));
        }
        return new Generation(loaded, bundle, policy, pool, files,
                new DecisionCache(reads, options.decisionCacheSize(), cacheHits, cacheMisses));
    }

    /**
     * Evaluates sample calls (a read, a pod create) {@code evaluations} times on the watcher thread,
     * so the JIT compiles the policy before real calls pay for it: the first ~1000 decisions after
     * start-up are otherwise several times slower. Not counted in the metrics. Completes when done.
     */
    public CompletableFuture<Void> warmUp(int evaluations) {
        return CompletableFuture.runAsync(() -> {
            byte[][] samples = {PROBE.toJson(), WARM_UP_POD.toJson()};
            for (int i = 0; i < evaluations; i++) {
                Generation g = current;
                if (g == null) {
                    return;
                }
                try {
                    g.pool().evaluate(samples[i % samples.length]).get(options.queueTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    return; // overloaded or failing: real calls report it
                }
            }
        }, watcher);
    }

    private static final Principal PROBE_PRINCIPAL = new Principal("kubegate:probe", "probe", "static", List.of(), Optional.empty());

    /** A request every policy must be able to decide. */
    static final PolicyInput PROBE = new PolicyInput(PROBE_PRINCIPAL,
            new PolicyInput.Request("get", "", "v1", "pods", "", "default", "", true,
                    "/api/v1/namespaces/default/pods", Map.of(), false),
            null, null, null, PolicyInput.Stats.NONE, Instant.EPOCH);

    private static final PolicyInput WARM_UP_POD;

    static {
        try {
            WARM_UP_POD = new PolicyInput(PROBE_PRINCIPAL,
                    new PolicyInput.Request("create", "", "v1", "pods", "", "default", "", true,
                            "/api/v1/namespaces/default/pods", Map.of(), false),
                    JSON.readTree("""
                            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "warm-up", "labels": {"app": "warm-up"}},
                             "spec": {"securityContext": {"runAsNonRoot": true},
                               "containers": [{"name": "app", "image": "registry.example/app:1", "ports": [{"containerPort": 8080}],
                                 "env": [{"name": "MODE", "value": "x"}], "resources": {"requests": {"cpu": "100m"}},
                                 "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
                               "volumes": [{"name": "cache", "emptyDir": {}}]}}"""),
                    null, "spec", PolicyInput.Stats.NONE, Instant.EPOCH);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Fingerprint fingerprint() {
        return new Fingerprint(java.util.stream.Stream.of(options.bundle(), options.data())
                .flatMap(Optional::stream)
                .map(p -> {
                    try {
                        // Follows symlinks: a ConfigMap update swaps the ..data link, changing the target's time.
                        return (Object) List.of(Files.getLastModifiedTime(p).toMillis(), Files.size(p));
                    } catch (NoSuchFileException e) {
                        return "missing";
                    } catch (IOException e) {
                        return e.toString();
                    }
                })
                .toList());
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        workers.shutdown();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
