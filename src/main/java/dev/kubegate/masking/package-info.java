/**
 * Masking of API answers on their way back to the agent (docs/architecture.md, step "Forward"; docs/policies.md "Masking"): a streaming
 * JSON masker for objects, lists, Tables and watch streams ({@link dev.kubegate.masking.JsonMasker}),
 * in front of it for Secrets and minted credentials a masker that holds one object at a time and
 * masks Secret values wherever they sit in their Secret ({@link dev.kubegate.masking.WholeObjectMasker},
 * {@link dev.kubegate.masking.SecretValues}),
 * a line masker for logs ({@link dev.kubegate.masking.LineMasker}) and the exec/attach WebSocket channel masker
 * ({@link dev.kubegate.masking.WebSocketChannelMasker}), all {@link dev.kubegate.masking.StreamMasker}s,
 * plus kubegate's one RFC 6455 frame reader ({@link dev.kubegate.masking.WebSocketFrameReader}, also
 * used by the exec recorder),
 * driven by {@link dev.kubegate.masking.MaskRules} built from the policy decision's {@code mask}.
 * Log patterns (RE2 syntax) run as lazily built DFAs ({@link dev.kubegate.masking.TextPatterns}: linear time). A pod's logs and exec output are also masked by value:
 * {@link dev.kubegate.masking.PodSecrets} says which Secrets a pod can read,
 * {@link dev.kubegate.masking.KnownValues} holds their values (raw and base64 automata) and a
 * {@link dev.kubegate.masking.KnownValueFilter} per stream replaces them ahead of the patterns.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Pure.</b> No I/O, clock, logging or global mutable state (but the compiled pattern sets of
 *       {@link dev.kubegate.masking.TextPatterns} and their DFA states, a cache that never changes a
 *       result); no Vert.x or Quarkus types
 *       (Jackson streaming only). Input and output are {@code byte[]} chunks: a chunk passed to
 *       {@code feed} is not kept after the call returns, and the returned array belongs to the
 *       caller.</li>
 *   <li><b>Not thread-safe per instance.</b> One masker per response stream, driven by one thread
 *       at a time (an event loop is fine: nothing blocks, work is linear in the input).
 *       {@link dev.kubegate.masking.MaskRules} is immutable and shared.</li>
 *   <li><b>Bounded memory</b> whatever the response size. JSON: the largest token
 *       ({@link dev.kubegate.masking.JsonMasker#MAX_TOKEN_CHARS}), the nesting stack
 *       ({@link dev.kubegate.masking.JsonMasker#MAX_DEPTH}), held-back fields
 *       ({@link dev.kubegate.masking.JsonMasker#DEFER_CAP}) and one call's output. Text: one
 *       partial line ({@link dev.kubegate.masking.LineMasker#MAX_LINE}) and the DFA's scratch space
 *       for it (a few bytes per character), the held possible start of
 *       a known value (shorter than the longest value) and one call's output.
 *       Secrets and credentials: one object of the answer
 *       ({@link dev.kubegate.masking.WholeObjectMasker#MAX_OBJECT_CHARS}).
 *       WebSocket: a frame header, a control payload, one line buffer per masked channel and up to
 *       {@link dev.kubegate.masking.WebSocketChannelMasker#MAX_PASS} of a passed-through message.</li>
 *   <li><b>Fails closed.</b> JSON that cannot be masked with certainty (invalid, truncated, too deep,
 *       a token too long, two different kinds in one object) raises
 *       {@link dev.kubegate.masking.MaskingException}; the caller must then cut the response, never
 *       pass the rest through. Where the document is ambiguous but readable, the maskers over-mask.</li>
 * </ul>
 */
package dev.kubegate.masking;
