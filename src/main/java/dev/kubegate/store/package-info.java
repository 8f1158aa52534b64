/**
 * Shared state of all replicas behind one SPI, {@link dev.kubegate.store.StateStore}: versioned JSON
 * documents by kind and id, counters, and a change feed. Features (sessions, suspensions,
 * approvals) own their record types and serialize them; the store only keeps and propagates them.
 *
 * <p>Implementations: {@link dev.kubegate.store.InMemoryStateStore} (tests, and the base of the
 * embedded one), {@code embedded.EmbeddedStateStore} (one replica, journal + snapshot under
 * {@code data-dir/state}), {@code postgres.PostgresStateStore} (several replicas, LISTEN/NOTIFY).
 * {@link dev.kubegate.store.StateStoreProducer} makes the configured one ({@code kubegate.store}) a
 * bean, opened at start-up only when serving; {@link dev.kubegate.store.StoreReadiness} reports it
 * (readiness check {@code store}, gauge {@code kubegate_store_available}).
 *
 * <p>Threading: every call returns a {@code Uni} and never blocks the caller; implementations that
 * touch files or a database do so on their own threads or through a reactive client. Change
 * listeners run on a store thread (the journal thread, or an event loop) and must not block.
 * Opening a store blocks and happens on the start-up thread.
 */
package dev.kubegate.store;
