/**
 * The gateway's use of the audit log: {@link dev.kubegate.audit.trail.AuditTrail} (CDI) turns each
 * API call ({@link dev.kubegate.audit.trail.CallRecord}, filled on the request's event loop) and each
 * {@link dev.kubegate.audit.LifecycleEvent} into entries of this replica's stream, gates mutating
 * calls on a durable intent record, and reports readiness ({@code audit} check, gauge {@code kubegate_audit_ready}). Never blocks an
 * event loop: appends only enqueue; the log's own thread does the file I/O.
 */
package dev.kubegate.audit.trail;
