/**
 * The tamper-evident audit log (issue 6): entries in canonical JSON ({@link dev.kubegate.audit.Canonical}),
 * hash-chained per writer stream, with Ed25519-signed checkpoints ({@link dev.kubegate.audit.SigningKeys}),
 * written by {@link dev.kubegate.audit.AuditLog} to segments ({@link dev.kubegate.audit.Segments}),
 * checked by {@link dev.kubegate.audit.AuditVerifier} (over a {@link dev.kubegate.audit.LogSource}: a directory or a
 * bucket) and read back by {@link dev.kubegate.audit.AuditQuery} and {@link dev.kubegate.audit.Replay}. Also pure
 * helpers for exec recordings ({@link dev.kubegate.audit.WebSocketFrames}, {@link dev.kubegate.audit.Asciicast}) and
 * playbook detection ({@link dev.kubegate.audit.PlaybookRules}, and the {@link dev.kubegate.audit.IdentitySuspender}
 * port a playbook suspends through, so the identity feature implements it without importing the trail).
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Plain Java</b> (JDK + Jackson): no Vert.x or Quarkus types, so the CLI and tests use it as is.</li>
 *   <li><b>Threads.</b> {@link dev.kubegate.audit.AuditLog#append} never blocks (it enqueues; the
 *       dedicated writer thread owns the files). Everything else here — verification, queries, key
 *       loading — does blocking file I/O: worker threads only, never an event loop.</li>
 *   <li><b>Fail closed.</b> An entry that cannot be made durable fails its future with
 *       {@link dev.kubegate.audit.AuditUnavailableException}; callers refuse the call it gates.</li>
 *   <li><b>Ownership.</b> {@code append} takes ownership of the entry node; a line passed to a
 *       {@link dev.kubegate.audit.Segments.LineVisitor} is valid only during the call.</li>
 * </ul>
 */
package dev.kubegate.audit;
