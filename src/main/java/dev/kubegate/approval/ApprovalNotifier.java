package dev.kubegate.approval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.config.KubegateConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Tells people about approval requests through a Slack-compatible incoming webhook
 * ({@code kubegate.approval.webhook-url}): {@code text} plus {@code blocks} with Approve / Deny
 * buttons linking to the web page (no buttons when no public address is configured: the message then
 * gives the CLI command; a request whose diff is cut gets "Review full diff" instead of Approve). With
 * Slack interactivity on ({@code kubegate.approval.slack.signing-secret-file}) the buttons are
 * interactive instead: a click posts to {@code /kubegate/v1/approvals/slack/interactions}, which
 * authenticates it and updates the message. Asynchronous and never in the way of a call: delivery is retried
 * a few times with growing pauses, and each outcome (delivered or not) is written on the request
 * and recorded as {@code approval.notified}.
 */
@ApplicationScoped
public class ApprovalNotifier {

    private static final Logger LOG = Logger.getLogger(ApprovalNotifier.class);

    @Inject
    KubegateConfig config;

    @Inject
    ApprovalService service;

    @Inject
    Vertx vertx;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public void requested(ApprovalRequest r) {
        send(r, "requested");
    }

    public void decided(ApprovalRequest r) {
        send(r, r.status());
    }

    private void send(ApprovalRequest r, String event) {
        Optional<URI> url = config.approval().webhookUrl();
        if (url.isEmpty()) {
            return;
        }
        String body = payload(r, event, interactive()).toString();
        attempt(url.get(), body, r.id(), event, 1);
    }

    private void attempt(URI url, String body, String id, String event, int n) {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, failure) -> {
            String error = failure != null ? failure.toString()
                    : resp.statusCode() / 100 != 2 ? "HTTP " + resp.statusCode() : null;
            if (error != null && n < config.approval().webhookAttempts()) {
                vertx.setTimer(1000L << (n - 1), t -> attempt(url, body, id, event, n + 1));
                return;
            }
            if (error != null) {
                LOG.warnf("approval %s: webhook notification (%s) failed after %d attempts: %s", id, event, n, error);
            }
            service.notified(id, new ApprovalRequest.Notification(event, service.now(), error == null, n, error))
                    .subscribe().with(ok -> { }, e -> LOG.errorf("approval %s: cannot record the webhook notification: %s", id, e));
        });
    }

    private boolean interactive() {
        return config.approval().slack().signingSecretFile().isPresent();
    }

    /** The message for {@code r} as it stands now (a Slack interaction replaces the clicked message with it). */
    public ObjectNode message(ApprovalRequest r) {
        return payload(r, r.pending() ? "requested" : r.status(), interactive());
    }

    /** Slack's mrkdwn needs only &, < and > escaped; agent-supplied text goes through here. */
    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static ObjectNode payload(ApprovalRequest r, String event, boolean interactive) {
        String who = esc(r.requester().principal()) + (r.requester().sessionId() == null ? "" : " (session " + esc(r.requester().sessionId()) + ")");
        String headline = switch (event) {
            case "requested" -> "Approval needed: " + who + " wants to " + esc(r.request().describe());
            case ApprovalRequest.APPROVED -> "Approved: " + esc(r.request().describe()) + " for " + who;
            case ApprovalRequest.DENIED -> "Denied: " + esc(r.request().describe()) + " for " + who + " — " + esc(r.denialReason());
            default -> esc(event) + ": " + esc(r.request().describe());
        };
        ObjectNode root = ApprovalRecords.JSON.createObjectNode();
        root.put("text", headline + " [" + r.id() + "]");
        ArrayNode blocks = root.putArray("blocks");
        StringBuilder detail = new StringBuilder("*").append(headline).append("*\n");
        detail.append("Approval `").append(r.id()).append("` · groups: ").append(esc(String.join(", ", r.approverGroups())))
                .append(" · approvers needed: ").append(r.requiredApprovers()).append('\n');
        for (String reason : r.reasons()) {
            detail.append("• ").append(esc(reason)).append('\n');
        }
        if (!r.requester().justification().isEmpty()) {
            detail.append("Justification: ").append(esc(r.requester().justification())).append('\n');
        }
        int shown = 0;
        for (ChangeSummary.Item item : r.summary()) {
            if (shown++ == 8) {
                detail.append("… ").append(r.summary().size() - 8).append(" more in the summary\n");
                break;
            }
            detail.append(item.flags().isEmpty() ? "◦ " : "⚠ ").append(esc(item.text()))
                    .append(item.flags().isEmpty() ? "" : " [" + esc(String.join(", ", item.flags())) + "]").append('\n');
        }
        if (r.diffTruncated()) {
            detail.append("The change has ").append(r.changesTotal()).append(" parts and only some are shown: review the full diff before approving.\n");
        }
        if ("requested".equals(event) && r.approvals() > 0) {
            detail.append("Approved so far by ").append(esc(r.approvedBy().replace(",", ", "))).append(" (")
                    .append(r.approvals()).append(" of ").append(r.requiredApprovers()).append("): waiting for another approver\n");
        }
        if ("requested".equals(event)) {
            detail.append(r.url() == null ? "Decide with `" + ApprovalLinks.command(r.id()) + "` (or `kubegate approvals deny " + r.id() + " --reason ...`)"
                    : "Or from a terminal: `" + ApprovalLinks.command(r.id()) + "`").append('\n');
        }
        ObjectNode section = blocks.addObject();
        section.put("type", "section");
        ObjectNode text = section.putObject("text");
        text.put("type", "mrkdwn");
        text.put("text", detail.length() > 2900 ? detail.substring(0, 2900) + "… (cut: open the request for the rest)" : detail.toString());
        if ("requested".equals(event) && interactive) {
            interactiveButtons(blocks.addObject(), r);
        } else if ("requested".equals(event) && r.url() != null) {
            ObjectNode actions = blocks.addObject();
            actions.put("type", "actions");
            ArrayNode elements = actions.putArray("elements");
            // A cut diff is never approved from a chat message: the link opens the full diff first.
            if (r.diffTruncated()) {
                button(elements, "Review full diff", r.url() + "/diff", "primary");
            } else {
                button(elements, "Approve", r.url() + "/approve", "primary");
            }
            button(elements, "Deny", r.url() + "/deny", "danger");
        }
        return root;
    }

    /** Action ids of the interactive buttons (the interaction endpoint acts on these two only). */
    public static final String APPROVE_ACTION = "kubegate_approve";
    public static final String DENY_ACTION = "kubegate_deny";

    /**
     * Buttons that post to the interaction endpoint (value = the request id). A cut diff is never
     * approved from chat: instead of Approve, a link to review the full diff first.
     */
    private static void interactiveButtons(ObjectNode actions, ApprovalRequest r) {
        actions.put("type", "actions");
        actions.put("block_id", "kubegate:" + r.id());
        ArrayNode elements = actions.putArray("elements");
        if (r.diffTruncated()) {
            if (r.url() != null) {
                button(elements, "Review full diff", r.url() + "/diff", "primary").put("action_id", "kubegate_open");
            }
        } else {
            ObjectNode approve = interactiveButton(elements, "Approve", APPROVE_ACTION, r.id(), "primary");
            ObjectNode confirm = approve.putObject("confirm");
            confirm.putObject("title").put("type", "plain_text").put("text", "Approve " + r.id() + "?");
            confirm.putObject("text").put("type", "plain_text").put("text", r.request().describe());
            confirm.putObject("confirm").put("type", "plain_text").put("text", "Approve");
            confirm.putObject("deny").put("type", "plain_text").put("text", "Cancel");
            if (r.url() != null) {
                button(elements, "Open", r.url(), null).put("action_id", "kubegate_open");
            }
        }
        interactiveButton(elements, "Deny", DENY_ACTION, r.id(), "danger");
    }

    private static ObjectNode interactiveButton(ArrayNode elements, String label, String actionId, String value, String style) {
        ObjectNode b = elements.addObject();
        b.put("type", "button");
        b.putObject("text").put("type", "plain_text").put("text", label);
        b.put("action_id", actionId);
        b.put("value", value);
        b.put("style", style);
        return b;
    }

    private static ObjectNode button(ArrayNode elements, String label, String url, String style) {
        ObjectNode b = elements.addObject();
        b.put("type", "button");
        ObjectNode t = b.putObject("text");
        t.put("type", "plain_text");
        t.put("text", label);
        b.put("url", url);
        if (style != null) {
            b.put("style", style);
        }
        b.put("action_id", label.toLowerCase());
        return b;
    }
}
