/**
 * Approving from Slack: the interaction endpoint behind the webhook message's Approve / Deny buttons.
 *
 * <p>{@link dev.kubegate.approval.slack.SlackSignature} checks Slack's signing-secret scheme (HMAC-SHA256
 * over {@code v0:timestamp:body}, timestamp within five minutes); {@link dev.kubegate.approval.slack.SlackInteractions}
 * refuses a replay on every replica (a {@code StateStore} document per signed request, created with
 * compare-and-set), maps the clicking Slack user to an approver through the operator's mapping file
 * ({@link dev.kubegate.approval.slack.SlackUsers}) and hands the decision to the same
 * {@code ApprovalService} rules as every other realm (groups, two-person rule, no self-approval).
 * A click that cannot be authenticated changes nothing.
 *
 * <p>Threading: the signature check is in-memory; store calls are asynchronous; the message update
 * ({@code response_url}) uses the JDK's asynchronous HTTP client. Files are read at start-up only.
 */
package dev.kubegate.approval.slack;
