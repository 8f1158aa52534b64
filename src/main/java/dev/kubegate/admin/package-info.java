/**
 * kubegate's own REST API under {@code /kubegate/v1}, for humans (approvers, admins) authenticated
 * with admin tokens or by the approvers' OIDC issuer (bearer tokens, or the page's session cookie
 * with a CSRF token) — realms separate from agents'. Slack's signed interactions and the public
 * OIDC settings are the only calls without a human credential ({@code SelfAuthenticated}).
 * Resources run on worker threads unless they return reactive types. The approvals web page
 * ({@code /kubegate/ui/}) is plain static files under {@code META-INF/resources/kubegate/ui}.
 */
package dev.kubegate.admin;
