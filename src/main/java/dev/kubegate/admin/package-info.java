/**
 * kubegate's own REST API under {@code /kubegate/v1}, for humans (approvers, admins) authenticated
 * with admin tokens — a realm separate from agents'. Resources run on worker threads unless they
 * return reactive types.
 */
package dev.kubegate.admin;
