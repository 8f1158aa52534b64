package dev.kubegate.approval;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One approval request as stored (the JSON document of kind {@code approval}). Immutable; every
 * change is a new value written back with compare-and-set.
 *
 * @param id                short random id the agent and approvers refer to
 * @param status            {@link #PENDING}, {@link #APPROVED}, {@link #DENIED}, {@link #EXPIRED} or {@link #USED}
 * @param createdAt         when the first call asked
 * @param decideBy          a pending request expires at this time
 * @param requester         who asked
 * @param request           the classified call, as policy saw it
 * @param call              what binds a grant to the exact call
 * @param reasons           the policy's reasons (what the agent was told)
 * @param approvalReason    the policy's approval reason
 * @param approverGroups    who may decide: members of any of these groups
 * @param requiredApprovers distinct approvers needed
 * @param grantTtlSeconds   how long an approval covers the same call; 0 = one use
 * @param grantUntil        when the approval stops covering the call (set when approved)
 * @param uses              calls that went through on this approval
 * @param decisions         approvers' decisions, in order
 * @param changes           what a mutation would change (dry run vs the current object); empty otherwise
 * @param changesNote       why {@code changes} is empty or partial, or null
 * @param notifications     webhook deliveries
 * @param url               where approvers open it (the web page); null when no public address is configured
 * @param summary           what the change means (permissions granted, privileged pod fields, deletes …), dangerous first
 * @param changesTotal      how many changes the full diff has ({@code changes} may show fewer, marked)
 * @param fullDiffViewedBy  approvers who fetched the full diff; when {@code changes} is cut, only they may approve
 */
public record ApprovalRequest(String id, String status, Instant createdAt, Instant decideBy,
                              Requester requester, Request request, Call call,
                              List<String> reasons, String approvalReason, List<String> approverGroups,
                              int requiredApprovers, long grantTtlSeconds, Instant grantUntil, int uses,
                              List<Decision> decisions, List<ObjectDiff.Entry> changes, String changesNote,
                              List<Notification> notifications, String url, List<ChangeSummary.Item> summary,
                              int changesTotal, List<String> fullDiffViewedBy) {

    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    public static final String EXPIRED = "expired";
    public static final String USED = "used";

    public ApprovalRequest {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        approverGroups = approverGroups == null ? List.of() : List.copyOf(approverGroups);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
        changes = changes == null ? List.of() : List.copyOf(changes);
        notifications = notifications == null ? List.of() : List.copyOf(notifications);
        summary = summary == null ? List.of() : List.copyOf(summary);
        fullDiffViewedBy = fullDiffViewedBy == null ? List.of() : List.copyOf(fullDiffViewedBy);
    }

    /**
     * @param principal     principal name (the agent)
     * @param principalId   its stable identifier
     * @param kind          how it authenticated
     * @param sessionId     its session, or null (static tokens have none)
     * @param labels        the session's labels
     * @param justification the session's {@code justification} (or {@code task}) label, or ""
     */
    public record Requester(String principal, String principalId, String kind, List<String> groups, String sessionId,
                            Map<String, String> labels, String justification) {
        public Requester {
            groups = groups == null ? List.of() : List.copyOf(groups);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /** The classified call (RequestInfo fields). */
    public record Request(String verb, String apiGroup, String apiVersion, String resource, String subresource,
                          String namespace, String name, String describe) {
    }

    /**
     * @param method     HTTP method
     * @param path       the path as sent
     * @param query      the canonical query (sorted, re-encoded)
     * @param bodySha256 hex SHA-256 of the body ("" body included)
     * @param digest     hex SHA-256 over all of the above: the grant covers exactly this
     * @param scope      whose grant it is: the session id, or the principal when there is no session
     */
    public record Call(String method, String path, String query, String bodySha256, String digest, String scope) {
    }

    /** @param decision {@code approve} or {@code deny} */
    public record Decision(String approver, String decision, Instant at, String reason) {
    }

    /** @param event {@code requested} or the decision; {@code error} null when delivered */
    public record Notification(String event, Instant at, boolean delivered, int attempts, String error) {
    }

    public boolean pending() {
        return PENDING.equals(status);
    }

    public long approvals() {
        return decisions.stream().filter(d -> "approve".equals(d.decision())).count();
    }

    /** Who approved, comma-separated in the order they did (for the audit record of the call). */
    public String approvedBy() {
        return String.join(",", decisions.stream().filter(d -> "approve".equals(d.decision())).map(Decision::approver).toList());
    }

    /** The reason of the denial, or "". */
    public String denialReason() {
        return decisions.stream().filter(d -> "deny".equals(d.decision())).map(Decision::reason).findFirst().orElse("");
    }

    public String deniedBy() {
        return decisions.stream().filter(d -> "deny".equals(d.decision())).map(Decision::approver).findFirst().orElse("");
    }

    /** Whether {@code changes} leaves part of the change out: then approvers must see the full diff first. */
    public boolean diffTruncated() {
        return ObjectDiff.truncated(changes);
    }

    ApprovalRequest withFullDiffViewer(String approver) {
        List<String> all = new ArrayList<>(fullDiffViewedBy);
        all.add(approver);
        return new ApprovalRequest(id, status, createdAt, decideBy, requester, request, call, reasons, approvalReason,
                approverGroups, requiredApprovers, grantTtlSeconds, grantUntil, uses, decisions, changes, changesNote, notifications, url,
                summary, changesTotal, all);
    }

    /** Whether an approval covers another call now. */
    public boolean grantActive(Instant now) {
        if (!APPROVED.equals(status) || grantUntil == null || !now.isBefore(grantUntil)) {
            return false;
        }
        return grantTtlSeconds > 0 || uses == 0;
    }

    public Duration grantTtl() {
        return Duration.ofSeconds(grantTtlSeconds);
    }

    ApprovalRequest withStatus(String newStatus) {
        return new ApprovalRequest(id, newStatus, createdAt, decideBy, requester, request, call, reasons, approvalReason,
                approverGroups, requiredApprovers, grantTtlSeconds, grantUntil, uses, decisions, changes, changesNote, notifications, url,
                summary, changesTotal, fullDiffViewedBy);
    }

    ApprovalRequest withDecision(Decision d, String newStatus, Instant newGrantUntil) {
        List<Decision> all = new ArrayList<>(decisions);
        all.add(d);
        return new ApprovalRequest(id, newStatus, createdAt, decideBy, requester, request, call, reasons, approvalReason,
                approverGroups, requiredApprovers, grantTtlSeconds, newGrantUntil, uses, all, changes, changesNote, notifications, url,
                summary, changesTotal, fullDiffViewedBy);
    }

    ApprovalRequest withUse() {
        String next = grantTtlSeconds == 0 ? USED : status;
        return new ApprovalRequest(id, next, createdAt, decideBy, requester, request, call, reasons, approvalReason,
                approverGroups, requiredApprovers, grantTtlSeconds, grantUntil, uses + 1, decisions, changes, changesNote, notifications, url,
                summary, changesTotal, fullDiffViewedBy);
    }

    ApprovalRequest withNotification(Notification n) {
        List<Notification> all = new ArrayList<>(notifications);
        all.add(n);
        // Bounded: a flapping webhook must not grow the document without end.
        List<Notification> kept = all.size() > 20 ? all.subList(all.size() - 20, all.size()) : all;
        return new ApprovalRequest(id, status, createdAt, decideBy, requester, request, call, reasons, approvalReason,
                approverGroups, requiredApprovers, grantTtlSeconds, grantUntil, uses, decisions, changes, changesNote, kept, url,
                summary, changesTotal, fullDiffViewedBy);
    }
}
