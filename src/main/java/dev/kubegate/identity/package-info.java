/**
 * Who is calling. {@link dev.kubegate.identity.Authenticator}s turn a bearer credential into a
 * {@link dev.kubegate.identity.Principal}; the {@link dev.kubegate.identity.AuthenticatorChain}
 * tries them in order ({@link dev.kubegate.identity.AgentAuthenticators}: AWS IAM, OIDC, service
 * accounts, static). Verified external identities ({@link dev.kubegate.identity.ExternalIdentity})
 * become principals through the identity mapping; {@link dev.kubegate.identity.VerifiedTokens} keeps
 * verification results by token digest so the request path does not call STS, an issuer or the
 * cluster again.
 *
 * <p>Threading: authentication runs on the request's event loop and must not block; an
 * authenticator that needs I/O returns a {@code Uni} completed elsewhere. Token files are read at
 * start-up only; the mapping file is re-read on a worker thread. Secrets (tokens) are held as digests, never logged.
 */
package dev.kubegate.identity;
