/**
 * Audit sinks beyond the local directory: {@link dev.kubegate.audit.sink.S3Shipper} uploads closed
 * segments to S3 (AWS SDK v2, blocking calls on its own thread, never an event loop) and
 * {@link dev.kubegate.audit.sink.S3LogSource} reads a bucket prefix back for verification and search;
 * {@link dev.kubegate.audit.sink.K8sAuditExport} appends each call as a Kubernetes audit event
 * ({@link dev.kubegate.audit.sink.K8sAuditEvent}) for SIEMs, on its own thread.
 */
package dev.kubegate.audit.sink;
