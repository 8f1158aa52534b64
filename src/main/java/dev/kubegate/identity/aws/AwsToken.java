package dev.kubegate.identity.aws;

import dev.kubegate.identity.AuthenticationException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code k8s-aws-v1.} token's presigned STS GetCallerIdentity request, checked with the rules
 * aws-iam-authenticator applies before it replays a token against STS: size, encoding, https, an STS
 * host, path {@code /}, only the parameters a presigned GetCallerIdentity has (each once, names
 * compared case-insensitively), {@code X-Amz-Expires} ≤ 900, {@code x-k8s-aws-id} among the signed
 * headers, signed at most 15 minutes ago and not in the future. What the signature covers (the
 * cluster id among it) only STS can check. Pure.
 *
 * @param host      the signed host, sent as the Host header
 * @param rawQuery  the query exactly as signed
 * @param signedAt  X-Amz-Date
 * @param expiresAt when STS stops accepting it: X-Amz-Date + 15 min (STS ignores X-Amz-Expires)
 * @param accessKeyId the key that signed it (for the audit trail and templates)
 */
public record AwsToken(String host, String rawQuery, Instant signedAt, Instant expiresAt, String accessKeyId) {

    public static final String PREFIX = "k8s-aws-v1.";
    public static final String CLUSTER_ID_HEADER = "x-k8s-aws-id";
    public static final int MAX_LENGTH = 4096;
    /** Presigned STS URLs are accepted for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says. */
    public static final Duration VALIDITY = Duration.ofMinutes(15);
    static final int MAX_EXPIRES_SECONDS = 900;

    private static final Set<String> ALLOWED = Set.of("action", "version", "x-amz-algorithm", "x-amz-credential",
            "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature", "x-amz-security-token");
    private static final Set<String> REQUIRED = Set.of("action", "version", "x-amz-algorithm", "x-amz-credential",
            "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

    /**
     * Parses and checks {@code token} (which starts with {@link #PREFIX}) at time {@code now}, allowing
     * {@code skew} for clocks ahead of ours. Fails with {@link AuthenticationException#invalid} naming the rule.
     */
    public static AwsToken parse(String token, StsHosts hosts, Instant now, Duration skew) {
        if (token.length() > MAX_LENGTH) {
            throw refused("the token is longer than " + MAX_LENGTH + " bytes");
        }
        if (!token.startsWith(PREFIX)) {
            throw refused("the token does not start with " + PREFIX);
        }
        String encoded = token.substring(PREFIX.length());
        if (encoded.indexOf('=') >= 0) {
            throw refused("the token is not unpadded base64url");
        }
        String url;
        try {
            url = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw refused("the token is not unpadded base64url");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw refused("the token does not hold a URL");
        }
        if (!"https".equals(uri.getScheme())) {
            throw refused("the presigned URL's scheme must be https");
        }
        if (uri.getRawUserInfo() != null || uri.getPort() != -1 || uri.getHost() == null || !hosts.allows(uri.getHost())) {
            throw refused("the presigned URL's host " + (uri.getRawAuthority() == null ? "(none)" : "'" + uri.getRawAuthority() + "'")
                    + " is not an allowed STS endpoint");
        }
        if (!"/".equals(uri.getRawPath())) {
            throw refused("the presigned URL's path must be /");
        }
        if (uri.getRawFragment() != null) {
            throw refused("the presigned URL must not have a fragment");
        }
        String rawQuery = uri.getRawQuery();
        if (rawQuery == null || rawQuery.isEmpty()) {
            throw refused("the presigned URL has no query");
        }
        Map<String, String> q = query(rawQuery);
        for (String required : REQUIRED) {
            if (!q.containsKey(required)) {
                throw refused("the presigned URL lacks the " + required + " parameter");
            }
        }
        if (!"GetCallerIdentity".equals(q.get("action"))) {
            throw refused("the presigned URL's Action must be GetCallerIdentity");
        }
        if (!"2011-06-15".equals(q.get("version"))) {
            throw refused("the presigned URL's Version must be 2011-06-15");
        }
        if (!"AWS4-HMAC-SHA256".equals(q.get("x-amz-algorithm"))) {
            throw refused("the presigned URL's X-Amz-Algorithm must be AWS4-HMAC-SHA256");
        }
        boolean clusterIdSigned = false;
        for (String h : q.get("x-amz-signedheaders").split(";", -1)) {
            clusterIdSigned |= h.equalsIgnoreCase(CLUSTER_ID_HEADER);
        }
        if (!clusterIdSigned) {
            throw refused("the " + CLUSTER_ID_HEADER + " header is not signed: the token is not bound to a cluster id");
        }
        int expires;
        try {
            expires = Integer.parseInt(q.get("x-amz-expires"));
        } catch (NumberFormatException e) {
            expires = -1;
        }
        if (expires < 0 || expires > MAX_EXPIRES_SECONDS) {
            throw refused("X-Amz-Expires must be a number of seconds from 0 to " + MAX_EXPIRES_SECONDS);
        }
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(q.get("x-amz-date"), AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw refused("X-Amz-Date is not a date like 20260102T030405Z");
        }
        Instant expiresAt = signedAt.plus(VALIDITY);
        if (!now.isBefore(expiresAt)) {
            throw refused("the token expired at " + expiresAt + " (15 minutes after it was signed): get a new one");
        }
        if (signedAt.isAfter(now.plus(skew))) {
            throw refused("the token is signed in the future (" + signedAt + "): check the client's clock");
        }
        String credential = q.get("x-amz-credential");
        int slash = credential.indexOf('/');
        return new AwsToken(uri.getHost(), rawQuery, signedAt, expiresAt, slash > 0 ? credential.substring(0, slash) : credential);
    }

    /** Parameters by lower-cased name; unknown, repeated, or undecodable ones are refused. */
    private static Map<String, String> query(String rawQuery) {
        if (rawQuery.indexOf(';') >= 0) {
            throw refused("the presigned URL's query must not contain ';'");
        }
        Map<String, String> q = new HashMap<>();
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw refused("the presigned URL's query is not well encoded");
            }
            String key = name.toLowerCase(Locale.ROOT);
            if (!ALLOWED.contains(key)) {
                throw refused("the presigned URL has the parameter '" + truncate(name) + "', which a GetCallerIdentity request does not have");
            }
            if (q.put(key, value) != null) {
                throw refused("the presigned URL repeats the parameter " + name);
            }
        }
        return q;
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static AuthenticationException refused(String why) {
        return AuthenticationException.invalid("AWS IAM token refused: " + why);
    }
}
