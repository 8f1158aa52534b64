/**
 * OpenID Connect for people (approvers, admins): the issuer's discovery document, the verification
 * of their tokens (signature against the issuer's published keys, {@code iss}, {@code aud},
 * {@code exp}), the mapping of claims to an {@link dev.kubegate.approval.Approver}, and readiness.
 *
 * <p>Fail closed: an issuer that cannot be discovered keeps readiness DOWN with the reason and every
 * OIDC token refused (503); nothing falls back to "no authentication", and the admin-token realm is
 * unaffected. Threading: discovery uses the JDK's asynchronous HTTP client; a token's first
 * verification (which may fetch the issuer's keys, blocking) runs on a worker thread and its result
 * is cached until the token expires.
 */
package dev.kubegate.approval.oidc;
