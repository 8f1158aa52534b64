/**
 * Who is calling. {@link dev.kubegate.identity.Authenticator}s turn a bearer credential into a
 * {@link dev.kubegate.identity.Principal}; the {@link dev.kubegate.identity.AuthenticatorChain}
 * tries them in order.
 *
 * <p>Threading: authentication runs on the request's event loop and must not block; an
 * authenticator that needs I/O returns a {@code Uni} completed elsewhere. Token files are read at
 * start-up only. Secrets (tokens) are held as digests, never logged.
 */
package dev.kubegate.identity;
