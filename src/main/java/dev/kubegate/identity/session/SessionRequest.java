package dev.kubegate.identity.session;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kubegate.k8s.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /kubegate/v1/sessions}, validated: {@code {"ttl":"15m","labels":{...},
 * "justification":"..."}}, every field optional. Hostile input gets a 400 naming the problem.
 */
public record SessionRequest(Optional<Duration> ttl, Map<String, String> labels, String justification) {

    public static final int MAX_BODY = 8192;
    static final int MAX_LABELS = 16;
    static final int MAX_LABEL_VALUE = 256;
    static final int MAX_JUSTIFICATION = 1024;
    /** A Kubernetes label key: optional DNS prefix and '/', then a name of up to 63 characters. */
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    public static final SessionRequest EMPTY = new SessionRequest(Optional.empty(), Map.of(), null);

    public SessionRequest {
        labels = Map.copyOf(labels);
    }

    public static SessionRequest parse(byte[] body) {
        if (body == null || body.length == 0) {
            return EMPTY;
        }
        if (body.length > MAX_BODY) {
            throw new SessionException(Status.tooLarge("the session request is larger than " + MAX_BODY + " bytes"));
        }
        Optional<Duration> ttl = Optional.empty();
        Map<String, String> labels = new LinkedHashMap<>();
        String justification = null;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("the session request must be a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "ttl" -> ttl = Optional.of(duration(string(p, v, "ttl")));
                    case "justification" -> {
                        justification = string(p, v, "justification");
                        if (justification.length() > MAX_JUSTIFICATION) {
                            throw bad("justification is longer than " + MAX_JUSTIFICATION + " characters");
                        }
                    }
                    case "labels" -> {
                        if (v != JsonToken.START_OBJECT) throw bad("labels must be an object of strings");
                        for (JsonToken l = p.nextToken(); l != JsonToken.END_OBJECT; l = p.nextToken()) {
                            String key = p.currentName();
                            String value = string(p, p.nextToken(), "labels." + key);
                            if (!LABEL_KEY.matcher(key).matches() || key.length() > 253 + 1 + 63) {
                                throw bad("label key \"" + key + "\" is not a valid label key (letters, digits, '-', '_', '.', optional prefix/)");
                            }
                            if (value.length() > MAX_LABEL_VALUE || value.chars().anyMatch(Character::isISOControl)) {
                                throw bad("label " + key + ": values are at most " + MAX_LABEL_VALUE + " printable characters");
                            }
                            if (labels.put(key, value) != null) throw bad("label " + key + " is given twice");
                            if (labels.size() > MAX_LABELS) throw bad("at most " + MAX_LABELS + " labels");
                        }
                    }
                    default -> throw bad("unknown field \"" + field + "\" (expected ttl, labels, justification)");
                }
            }
            if (p.nextToken() != null) {
                throw bad("trailing data after the JSON object");
            }
        } catch (IOException e) {
            throw bad("the session request is not valid JSON: " + Status.describe(e).lines().findFirst().orElse(""));
        }
        if (labels.containsKey("implicit")) {
            throw bad("the label \"implicit\" is reserved");
        }
        return new SessionRequest(ttl, labels, justification);
    }

    private static String string(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw bad(field + " must be a string");
        }
        return p.getText();
    }

    /** Go-style durations as kubectl users write them: "90s", "15m", "1h30m". */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        Duration d = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at == 0 || at != text.length()) {
            throw bad("ttl \"" + text + "\" is not a duration like 90s, 15m or 1h30m");
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw bad("ttl must be at least 1s");
        }
        return d;
    }

    private static SessionException bad(String message) {
        return new SessionException(Status.badRequest(message));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
