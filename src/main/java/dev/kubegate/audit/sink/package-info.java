/**
 * Audit sinks beyond the local directory: {@link dev.kubegate.audit.sink.S3Shipper} uploads closed
 * segments to S3 (AWS SDK v2, blocking calls on its own thread, never an event loop) and
 * {@link dev.kubegate.audit.sink.S3LogSource} reads a bucket prefix back for verification and search.
 */
package dev.kubegate.audit.sink;
