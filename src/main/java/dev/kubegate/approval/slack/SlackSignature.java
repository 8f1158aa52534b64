package dev.kubegate.approval.slack;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Slack's request signing (version {@code v0}): {@code X-Slack-Signature: v0=<hex HMAC-SHA256 of
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body, keyed by the app's signing secret>}. A
 * timestamp further than {@link #TOLERANCE} from now is refused, so a captured request cannot be
 * replayed later (replays within the window are refused by the caller's replay record).
 */
public final class SlackSignature {

    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String VERSION = "v0";

    private final byte[] secret;

    public SlackSignature(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the Slack signing secret is empty");
        }
        this.secret = secret.clone();
    }

    /** Why a request is refused; the message is safe to show the caller. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Returns the signed timestamp when {@code signature} is this secret's signature of
     * {@code timestamp} and {@code body} and the timestamp is within the tolerance of {@code now}.
     */
    public Instant verify(String timestamp, String signature, byte[] body, Instant now) throws Refused {
        if (timestamp == null || signature == null) {
            throw new Refused("the request is not signed (X-Slack-Request-Timestamp and X-Slack-Signature are required)");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw new Refused("X-Slack-Request-Timestamp is not a number of seconds");
        }
        // The signature first: an unsigned caller learns nothing about our clock.
        if (!MessageDigest.isEqual(sign(timestamp.strip(), body).getBytes(StandardCharsets.US_ASCII),
                signature.strip().getBytes(StandardCharsets.US_ASCII))) {
            throw new Refused("the request signature does not verify with the configured Slack signing secret");
        }
        Instant at = Instant.ofEpochSecond(seconds);
        if (Duration.between(at, now).abs().compareTo(TOLERANCE) > 0) {
            throw new Refused("the request was signed at " + at + ", more than " + TOLERANCE.toMinutes()
                    + " minutes from now (" + now + "): refused as stale");
        }
        return at;
    }

    /** {@code v0=<hex>} for a timestamp and body (also what tests sign with). */
    public String sign(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return VERSION + "=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
