/**
 * The escape-hatch report: which RBAC rights of kubegate's agents would let them get around the
 * gateway or escalate (mint tokens, run pods as other service accounts, impersonate, approve
 * certificates, ...). {@link dev.kubegate.hatches.AgentSubjects}, {@link dev.kubegate.hatches.HatchChecks}
 * and {@link dev.kubegate.hatches.HatchReport} are pure; {@link dev.kubegate.hatches.RbacChecker} asks the
 * API server (SubjectAccessReview, non-blocking); the {@code rbac-check} command and the gateway's
 * periodic {@link dev.kubegate.hatches.HatchWatch} print and publish the result.
 */
package dev.kubegate.hatches;
