/**
 * The gateway's use of the audit log, beside the gateway (application glue: CDI and Vert.x, so not
 * part of the pure {@code audit} core it writes through): {@link dev.kubegate.trail.AuditTrail} (CDI)
 * turns each API call ({@link dev.kubegate.trail.CallRecord}, filled on the request's event loop) and
 * each {@link dev.kubegate.audit.LifecycleEvent} into entries of this replica's stream, gates mutating
 * calls on a durable intent record, records exec sessions ({@link dev.kubegate.trail.ExecRecorder}),
 * runs the response playbooks ({@link dev.kubegate.trail.Playbooks}) and reports readiness
 * ({@code audit} check, gauge {@code kubegate_audit_ready}). Never blocks an event loop: appends only
 * enqueue; the log's own thread does the file I/O.
 */
package dev.kubegate.trail;
