/**
 * Kubernetes service-account agents: the upstream cluster reviews the token (TokenReview with the
 * gateway's own identity). Non-blocking; answers read bounded (256 KiB); positive answers cached briefly.
 */
package dev.kubegate.identity.serviceaccount;
