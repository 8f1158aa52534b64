package dev.kubegate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.slack.SlackSignature;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Button clicks as Slack posts them to kubegate's interaction endpoint: form-encoded payload, v0 signature. */
public final class SlackClicks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackSignature signature;

    public SlackClicks(String signingSecret) {
        this.signature = new SlackSignature(signingSecret.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code block_actions} body: {@code user} clicked {@code action} on request {@code id}; Slack's reply address is {@code responseUrl}. */
    public static String form(String user, String action, String id, String responseUrl) throws Exception {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "block_actions");
        p.putObject("user").put("id", user).put("username", user.toLowerCase()).put("team_id", "T0KUBEGATE");
        p.putObject("team").put("id", "T0KUBEGATE");
        p.put("response_url", responseUrl);
        p.put("trigger_id", UUID.randomUUID().toString());
        ObjectNode a = p.putArray("actions").addObject();
        a.put("type", "button").put("action_id", action).put("value", id).put("block_id", "kubegate:" + id)
                .put("action_ts", Long.toString(System.nanoTime()));
        return "payload=" + URLEncoder.encode(JSON.writeValueAsString(p), StandardCharsets.UTF_8);
    }

    public String sign(String timestamp, String body) {
        return signature.sign(timestamp, body.getBytes(StandardCharsets.UTF_8));
    }

    /** POSTs {@code body} with the given headers (null = header left out) to {@code gateway}'s endpoint. */
    public static HttpResponse<String> post(GatewayProcess gateway, String body, String timestamp, String signed) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gateway.url() + "/kubegate/v1/approvals/slack/interactions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (timestamp != null) r.header("X-Slack-Request-Timestamp", timestamp);
        if (signed != null) r.header("X-Slack-Signature", signed);
        HttpClient http = gateway.httpClient();
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body} signed at {@code at}. */
    public HttpResponse<String> signed(GatewayProcess gateway, String body, Instant at) throws Exception {
        String ts = Long.toString(at.getEpochSecond());
        return post(gateway, body, ts, sign(ts, body));
    }
}
