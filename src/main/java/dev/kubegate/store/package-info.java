/**
 * Shared state of all replicas behind one SPI, {@link dev.kubegate.store.StateStore}: versioned JSON
 * documents by kind and id, counters, and a change feed. Features (sessions, suspensions,
 * approvals) own their record types and serialize them; the store only keeps and propagates them.
 *
 * <p>Threading: every call returns a {@code Uni} and never blocks the caller; implementations that
 * touch files or a database do so on their own threads or through a reactive client. Change
 * listeners run on a store thread and must not block.
 */
package dev.kubegate.store;
