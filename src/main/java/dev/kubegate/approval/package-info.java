/**
 * Approvals: calls the policy marks {@code approval.required} wait for humans.
 *
 * <p>An {@link dev.kubegate.approval.ApprovalRequest} is a {@code StateStore} document (kind
 * {@value dev.kubegate.approval.ApprovalRecords#KIND}) bound to the exact call by a
 * {@link dev.kubegate.approval.CallDigest}. {@link dev.kubegate.approval.ApprovalGate} holds the
 * agent's call until a decision arrives on any replica (the store's change feed), the wait ends, or
 * the client leaves; {@link dev.kubegate.approval.ApprovalService} applies approvers' decisions with
 * compare-and-set, so concurrent replicas never both approve, deny or consume a once-grant.
 *
 * <p>Threading: nothing here blocks the event loop. Store calls are asynchronous; lifecycle events
 * (which the audit trail may write synchronously) are fired on worker threads; the webhook uses the
 * JDK's asynchronous HTTP client. Fail closed: when the store or the audit trail cannot answer, the
 * held call is refused (503).
 */
package dev.kubegate.approval;
