/**
 * Just-in-time sessions: an agent credential is exchanged for a short-lived, signed session token
 * ({@link dev.kubegate.identity.session.SessionTokens}, ES256 JWTs with rotating keys in a
 * {@link dev.kubegate.identity.session.KeyRing}); every call is checked against this replica's
 * {@link dev.kubegate.identity.session.SessionView} of revocations, suspensions and activity, kept
 * current from the state store's change feed. Direct credentials get implicit sessions
 * ({@link dev.kubegate.identity.session.ImplicitSessions}); per-session counters are shared through
 * the store ({@link dev.kubegate.identity.session.SessionCounters}).
 *
 * <p>Threading: the per-request path (token verification, view checks, counters) is memory only
 * and never blocks; it runs on the request's event loop. Store calls are asynchronous
 * ({@code Uni}); key files are read on a worker thread; lifecycle events are fired on a worker
 * thread (audit observers may write files). {@link dev.kubegate.identity.session.Sessions} is the
 * CDI bean here (with {@link dev.kubegate.identity.session.SessionIdentitySuspender}, which lets audit
 * playbooks suspend an identity through it); the rest is plain Java wired by it, so tests build
 * replicas by hand.
 *
 * <p>Fail closed: a view that may have missed changes for longer than
 * {@code kubegate.session.max-staleness} refuses session tokens (503); a store that cannot record a
 * session, revocation or suspension fails the operation (503).
 */
package dev.kubegate.identity.session;
