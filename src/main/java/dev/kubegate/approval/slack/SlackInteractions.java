package dev.kubegate.approval.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.ApprovalNotifier;
import dev.kubegate.approval.ApprovalRequest;
import dev.kubegate.approval.ApprovalService;
import dev.kubegate.approval.Approver;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.Status;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Handles a click on the webhook message's Approve / Deny buttons, as Slack posts it. In order, each
 * failure ending the handling with nothing changed: the signature and its timestamp
 * ({@link SlackSignature}); a replay record in the shared store (so a captured request is used once,
 * whichever replica it reaches); the workspace; the user, mapped to a person by
 * {@link SlackUsers} and to an approver by the realm that knows that person
 * ({@link SlackApprovers}); then the decision through {@link ApprovalService}, which applies the
 * approver groups, the two-person rule and no self-approval exactly as for the API. The clicked
 * message is then replaced with the request's new state, or the clicker is told why nothing changed
 * ({@code response_url}, only to the configured Slack prefixes).
 */
@ApplicationScoped
public class SlackInteractions {

    private static final Logger LOG = Logger.getLogger(SlackInteractions.class);
    /** Replay records: one per signed request, kept past the signature's validity window. */
    public static final String REPLAY_KIND = "slack-interaction";
    static final int MAX_BODY = 256 * 1024;
    private static final Pattern APPROVAL_ID = Pattern.compile("ap-[a-z0-9]{10}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KubegateConfig config;

    @Inject
    StateStore store;

    @Inject
    ApprovalService approvals;

    @Inject
    ApprovalNotifier notifier;

    @Inject
    SlackApprovers approvers;

    Clock clock = Clock.systemUTC();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile SlackSignature signature;
    private volatile SlackUsers users;

    /** What to answer Slack: an HTTP status and a JSON body. */
    public record Answer(int code, Object body) {
        static Answer refused(Status s) {
            return new Answer(s.code(), s);
        }

        static Answer told(String text) {
            ObjectNode n = JSON.createObjectNode();
            n.put("response_type", "ephemeral");
            n.put("replace_original", false);
            n.put("text", text);
            return new Answer(200, n);
        }
    }

    /** Reads the secret and the mapping once; a configuration that cannot work stops the start. */
    void load(@Observes StartupEvent event) {
        KubegateConfig.Approval.Slack slack = config.approval().slack();
        if (slack.signingSecretFile().isEmpty()) {
            if (slack.usersFile().isPresent()) {
                throw new IllegalStateException("kubegate.approval.slack.users-file is set but kubegate.approval.slack.signing-secret-file"
                        + " is not: without the secret no Slack click can be authenticated");
            }
            return;
        }
        Path secretFile = slack.signingSecretFile().get();
        Path usersFile = slack.usersFile().orElseThrow(() -> new IllegalStateException(
                "kubegate.approval.slack.signing-secret-file is set but kubegate.approval.slack.users-file is not:"
                        + " kubegate needs to know which Slack user is which approver"));
        try {
            signature = new SlackSignature(Files.readString(secretFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
            users = SlackUsers.load(usersFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Slack interactivity settings (" + secretFile + ", " + usersFile + ")", e);
        }
        LOG.infof("approvals from Slack: on, %d mapped users%s", users.size(),
                slack.teamId().map(t -> ", workspace " + t).orElse(""));
    }

    public boolean enabled() {
        return signature != null;
    }

    /** One interaction request, as received: the two signing headers and the raw body. */
    public Uni<Answer> handle(String timestamp, String signed, byte[] body) {
        SlackSignature sig = signature;
        if (sig == null) {
            return answer(Answer.refused(Status.notFound("approving from Slack is off: configure kubegate.approval.slack.signing-secret-file")));
        }
        if (body == null || body.length > MAX_BODY) {
            return answer(Answer.refused(Status.tooLarge("a Slack interaction is at most " + MAX_BODY + " bytes")));
        }
        Instant at;
        try {
            at = sig.verify(timestamp, signed, body, clock.instant());
        } catch (SlackSignature.Refused e) {
            LOG.warnf("Slack interaction refused: %s", e.getMessage());
            return answer(Answer.refused(Status.unauthorized(e.getMessage())));
        }
        String replayId = replayId(timestamp.strip(), body);
        return store.create(REPLAY_KIND, replayId, "{}", at.plus(SlackSignature.TOLERANCE.multipliedBy(2)))
                .map(created -> true)
                .onFailure(StoreConflictException.class).recoverWithItem(false)
                .flatMap(firstTime -> {
                    if (!firstTime) {
                        LOG.warnf("Slack interaction refused: replayed request signed at %s", at);
                        return answer(Answer.refused(Status.unauthorized("this signed Slack request was already received: replays are refused")));
                    }
                    return interaction(body);
                })
                .onFailure().recoverWithItem(e -> e instanceof ApprovalException a ? Answer.refused(a.status())
                        : Answer.refused(Status.serviceUnavailable("kubegate cannot record the Slack interaction right now ("
                        + Status.describe(e) + "); nothing was decided, click again shortly")));
    }

    private Uni<Answer> interaction(byte[] body) {
        JsonNode payload;
        try {
            payload = payload(body);
        } catch (IllegalArgumentException e) {
            return answer(Answer.refused(Status.badRequest(e.getMessage())));
        }
        if (!"block_actions".equals(payload.path("type").asText())) {
            return answer(new Answer(200, JSON.createObjectNode())); // not a button: nothing to do
        }
        String team = payload.path("user").path("team_id").asText(payload.path("team").path("id").asText(""));
        Optional<String> onlyTeam = config.approval().slack().teamId();
        if (onlyTeam.isPresent() && !onlyTeam.get().equals(team)) {
            return answer(Answer.refused(Status.forbidden("clicks from Slack workspace \"" + team + "\" are not accepted")));
        }
        JsonNode action = null;
        for (JsonNode a : payload.path("actions")) {
            String id = a.path("action_id").asText();
            if (ApprovalNotifier.APPROVE_ACTION.equals(id) || ApprovalNotifier.DENY_ACTION.equals(id)) {
                action = a;
                break;
            }
        }
        if (action == null) {
            return answer(new Answer(200, JSON.createObjectNode())); // a link button: Slack reports those too
        }
        boolean approve = ApprovalNotifier.APPROVE_ACTION.equals(action.path("action_id").asText());
        String id = action.path("value").asText();
        String responseUrl = payload.path("response_url").asText(null);
        String slackUser = payload.path("user").path("id").asText("");
        if (!APPROVAL_ID.matcher(id).matches()) {
            return tell(responseUrl, "That button does not name an approval request.");
        }
        Optional<SlackUsers.Person> person = users.person(slackUser);
        if (person.isEmpty()) {
            LOG.warnf("Slack interaction on %s refused: Slack user %s is not in kubegate.approval.slack.users-file", id, slackUser);
            return tell(responseUrl, "Nothing was decided on " + id + ": your Slack user (" + slackUser
                    + ") is not mapped to a kubegate approver. Ask the kubegate operator to add you to the Slack users file.");
        }
        return approvers.approver(person.get(), slackUser).flatMap(found -> {
            if (found.isEmpty()) {
                return tell(responseUrl, "Nothing was decided on " + id + ": " + person.get()
                        + " (your Slack user " + slackUser + ") is not a known approver" + (person.get().email() != null
                        ? " (an email-mapped person must have signed in to kubegate with OIDC within "
                        + config.approvers().oidc().directoryTtl() + ")." : "."));
            }
            Approver approver = found.get();
            String reason = approve ? "approved in Slack" : "denied in Slack by " + approver.name() + " (no reason given there; ask them)";
            return approvals.decide(id, approver, approve, reason)
                    .map(r -> {
                        update(responseUrl, r);
                        return new Answer(200, outcome(r, approver));
                    })
                    .onFailure(ApprovalException.class).recoverWithUni(e -> tell(responseUrl, "Nothing was decided on " + id + ": "
                            + ((ApprovalException) e).status().message()));
        });
    }

    /** One id per signed request: SHA-256 of what the signature covers. */
    static String replayId(String timestamp, byte[] body) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            d.update((timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d.digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code payload} form field of an {@code application/x-www-form-urlencoded} body, as JSON. */
    static JsonNode payload(byte[] body) {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("payload")) {
                try {
                    JsonNode n = JSON.readTree(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    if (n != null && n.isObject()) {
                        return n;
                    }
                } catch (IOException | IllegalArgumentException e) {
                    // reported below
                }
                throw new IllegalArgumentException("the payload field is not a JSON object");
            }
        }
        throw new IllegalArgumentException("a Slack interaction is a form with a payload field");
    }

    private ObjectNode outcome(ApprovalRequest r, Approver approver) {
        ObjectNode n = JSON.createObjectNode();
        n.put("response_type", "ephemeral");
        n.put("replace_original", false);
        n.put("text", r.id() + " is " + r.status() + " (" + r.approvals() + " of " + r.requiredApprovers()
                + " approvals); recorded as " + approver.name());
        return n;
    }

    private Uni<Answer> tell(String responseUrl, String text) {
        Answer a = Answer.told(text);
        post(responseUrl, (ObjectNode) a.body());
        return answer(a);
    }

    /** Replaces the clicked message with the request's state (buttons stay while it is pending). */
    private void update(String responseUrl, ApprovalRequest r) {
        ObjectNode message = notifier.message(r);
        message.put("replace_original", true);
        post(responseUrl, message);
    }

    private void post(String responseUrl, ObjectNode message) {
        if (responseUrl == null || responseUrl.isEmpty()) {
            return;
        }
        List<String> allowed = config.approval().slack().responseUrlPrefixes();
        if (allowed.stream().noneMatch(responseUrl::startsWith)) {
            LOG.warnf("Slack interaction: response_url %s is not under %s; the message is not updated", responseUrl, allowed);
            return;
        }
        URI target;
        try {
            target = URI.create(responseUrl);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Slack interaction: response_url is not a URL; the message is not updated");
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(message.toString())).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, failure) -> {
            if (failure != null || resp.statusCode() / 100 != 2) {
                LOG.warnf("Slack interaction: updating the message failed: %s", failure != null ? failure : "HTTP " + resp.statusCode());
            }
        });
    }

    private static Uni<Answer> answer(Answer a) {
        return Uni.createFrom().item(a);
    }
}
