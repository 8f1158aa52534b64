package dev.kubegate.policy;

import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A fixed number of policy instances for one bundle and data (an instance is single-threaded).
 * {@link #evaluate} never blocks its caller: with an idle instance and a small input it evaluates
 * right there, on the caller's thread (an event loop, typically: a decision is ~100 µs of CPU);
 * otherwise the evaluation runs on the worker executor, queued until an instance is free.
 *
 * <p>The lock guards two deques and is held for a few field updates, never during an evaluation.
 * An instance that failed, or whose memory grew past {@link #RETIRE_BYTES}, is replaced by a fresh
 * one built on the executor: a trap may leave WASM memory inconsistent, and WASM memory never shrinks.
 */
final class EvaluatorPool {

    private static final Logger LOG = Logger.getLogger(EvaluatorPool.class);

    /** Inputs up to this size are evaluated inline (~5 ns per input byte to parse): ≤ ~0.5 ms. */
    static final int INLINE_MAX_INPUT = 64 * 1024;
    static final long RETIRE_BYTES = 32L << 20;

    private final WasmPolicy policy;
    private final byte[] data;
    private final Executor executor;
    private final int maxQueued;
    private final ArrayDeque<WasmPolicy.Evaluator> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    final int size;

    private record Waiting(byte[] input, CompletableFuture<byte[]> result) {
    }

    /** Builds {@code size} instances now (prewarmed: the caller probes them). CPU-heavy. */
    EvaluatorPool(WasmPolicy policy, byte[] data, int size, Executor executor, int maxQueued) {
        this.policy = policy;
        this.data = data;
        this.size = size;
        this.executor = executor;
        this.maxQueued = maxQueued;
        for (int i = 0; i < size; i++) {
            idle.add(policy.newEvaluator(data));
        }
    }

    /** Runs {@code action} on every instance, one after the other; for probing before the pool is in use. */
    synchronized void forEachIdle(java.util.function.Consumer<WasmPolicy.Evaluator> action) {
        idle.forEach(action);
    }

    /** The result set for {@code input}; fails with the evaluation's exception. */
    CompletableFuture<byte[]> evaluate(byte[] input) {
        WasmPolicy.Evaluator e;
        synchronized (this) {
            e = idle.pollFirst();
            if (e == null) {
                if (waiting.size() >= maxQueued) {
                    return CompletableFuture.failedFuture(new PolicyUnavailableException(
                            "policy evaluation is overloaded: " + waiting.size() + " evaluations are queued"));
                }
                Waiting w = new Waiting(input, new CompletableFuture<>());
                waiting.addLast(w);
                return w.result();
            }
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        if (input.length <= INLINE_MAX_INPUT) {
            run(e, input, result);
        } else {
            offload(e, input, result);
        }
        return result;
    }

    private void offload(WasmPolicy.Evaluator e, byte[] input, CompletableFuture<byte[]> result) {
        try {
            executor.execute(() -> run(e, input, result));
        } catch (RejectedExecutionException rejected) {
            release(e);
            result.completeExceptionally(new PolicyUnavailableException("policy evaluation is shutting down", rejected));
        }
    }

    private void run(WasmPolicy.Evaluator e, byte[] input, CompletableFuture<byte[]> result) {
        byte[] out;
        try {
            out = e.evaluate(input);
        } catch (Throwable failure) { // traps, aborts, stack or memory exhaustion: this instance is suspect
            replace(e);
            result.completeExceptionally(failure);
            return;
        }
        if (e.memoryBytes() > RETIRE_BYTES) {
            replace(e);
        } else {
            release(e);
        }
        result.complete(out);
    }

    /** Hands the instance to the oldest waiting evaluation still wanted, or back to the idle set. */
    private void release(WasmPolicy.Evaluator e) {
        Waiting next;
        synchronized (this) {
            do {
                next = waiting.pollFirst();
            } while (next != null && next.result().isDone()); // timed out meanwhile
            if (next == null) {
                idle.addFirst(e); // most recently used first: its code and memory are warm
                return;
            }
        }
        offload(e, next.input(), next.result());
    }

    private void replace(WasmPolicy.Evaluator broken) {
        try {
            executor.execute(() -> {
                WasmPolicy.Evaluator fresh;
                try {
                    fresh = policy.newEvaluator(data);
                } catch (RuntimeException e) {
                    // Cannot happen for a module that loaded before; the pool is one short until reload.
                    LOG.errorf(e, "cannot replace a policy instance; %d of %d remain", size - 1, size);
                    return;
                }
                release(fresh);
            });
        } catch (RejectedExecutionException shuttingDown) {
            // nothing to do: the pool is going away
        }
    }
}
