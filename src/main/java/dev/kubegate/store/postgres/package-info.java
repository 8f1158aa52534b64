/**
 * The PostgreSQL state store ({@code kubegate.store=postgres}): the state several replicas share.
 * {@link dev.kubegate.store.postgres.PostgresStateStore} queries through the Vert.x reactive pool
 * (compare-and-set is a conditional {@code UPDATE}); a trigger notifies every change, and each
 * replica's {@code ChangeFeed} {@code LISTEN}s for it on one dedicated connection, reconnecting by
 * itself and then telling listeners to reload. {@code V1__state_store} is the schema, migrated by
 * Flyway; {@link dev.kubegate.store.postgres.PostgresSettings} says how to reach the database.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>May block:</b> only {@code PostgresStateStore.start} (Flyway over JDBC, then the wait for
 *       the first {@code LISTEN}; start-up thread) and {@code close}. Operations never block.</li>
 *   <li><b>Threads:</b> queries and the change feed run on Vert.x event loops; change listeners run
 *       there and must not block.</li>
 *   <li><b>Failure:</b> any error but a conflict, and any operation slower than
 *       {@code kubegate.postgres.timeout}, fails with {@code StoreUnavailableException} (calls
 *       that need the store get 503); both recover when the database is back.</li>
 * </ul>
 */
package dev.kubegate.store.postgres;
