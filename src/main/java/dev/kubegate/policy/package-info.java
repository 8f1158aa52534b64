/**
 * Policy: every Kubernetes call is decided by Rego compiled to WebAssembly (entrypoint
 * {@code kubegate/decision}), evaluated in-process on Chicory.
 *
 * <p><b>Contract.</b> {@link dev.kubegate.policy.PolicyInput} and {@link dev.kubegate.policy.PolicyDecision}
 * are the documents of docs/policy-input.md: plain Java records, no Vert.x or Quarkus types. The input adds
 * {@code podSpec: {"path": ...}}, where the pod spec is inside {@code object}
 * ({@link dev.kubegate.policy.PolicyInput#podSpecPath}). Decisions are parsed strictly: anything
 * malformed is an error, never an allow.
 *
 * <p><b>Fail closed.</b> {@link dev.kubegate.policy.PolicyEngine#decide} completes exceptionally with
 * {@link dev.kubegate.policy.PolicyUnavailableException} (answer 503, forward nothing) when no policy
 * is loaded, the evaluation traps or times out waiting for an instance, or the decision is malformed.
 *
 * <p><b>Threading — what may block, where.</b>
 * <ul>
 *   <li>{@code decide} never blocks and may be called on an event loop. With an idle instance and an
 *       input ≤ 64 KiB it evaluates on the calling thread (~30–100 µs of CPU, no locks held during
 *       the evaluation) and returns an already-completed stage, whose callbacks then run on that same
 *       thread. Otherwise the stage completes on a {@code kubegate-policy-*} worker thread: callers
 *       that need their Vert.x context must hop back to it.</li>
 *   <li>An {@code OpaPolicy}/WASM instance is single-threaded: each is used by one thread at a time,
 *       handed over through the pool's lock (held for a few field updates only).</li>
 *   <li>{@code PolicyEngine.start()} and {@code reload()} block (file reads, WASM compilation, ~1 s):
 *       start-up thread and the {@code kubegate-policy-watch} thread only. A reload swaps the whole
 *       pool atomically; evaluations already running finish on the instances they hold.</li>
 *   <li>Records, {@code PolicyBundle} and {@code PolicyDecision.parse} are pure and thread-safe.</li>
 * </ul>
 *
 * <p><b>Ownership.</b> {@code decide} serialises the input before returning; the caller may reuse
 * the {@code JsonNode}s it passed as soon as {@code decide} returns.
 */
package dev.kubegate.policy;
