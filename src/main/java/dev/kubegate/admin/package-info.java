/**
 * kubegate's own REST API under {@code /kubegate/v1}, for humans (approvers, admins) authenticated
 * with admin tokens — a realm separate from agents'. Resources run on worker threads unless they
 * return reactive types. The approvals web page ({@code /kubegate/ui/}) is plain static files under
 * {@code META-INF/resources/kubegate/ui} that call this API with the same admin token.
 */
package dev.kubegate.admin;
