/**
 * OIDC JWT agents: signatures checked with Nimbus JOSE+JWT against the issuer's JWKS, fetched
 * non-blockingly (discovery, refresh on unknown key ids, rate-limited), claims checked exactly.
 *
 * <p>Threading: nothing blocks; JWKS documents are read bounded (1 MiB). Signature verification is
 * CPU work on the calling thread, once per token (results are cached until {@code exp}).
 */
package dev.kubegate.identity.oidc;
