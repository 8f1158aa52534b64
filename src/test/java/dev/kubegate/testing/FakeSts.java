package dev.kubegate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An STS double for GetCallerIdentity over plain HTTP: checks the presigned request's shape (GET, path
 * {@code /}, Action, Version, the SigV4 query parameters, an {@code x-k8s-aws-id} header) and, for the
 * access keys it knows, the SigV4 signature itself over the Host and {@code x-k8s-aws-id} headers it
 * receives, so a token signed for another cluster id fails here as it would at STS. Answers JSON when
 * asked (Accept: application/json), XML otherwise; can be switched to throttle, fail or stall.
 */
public final class FakeSts implements AutoCloseable {

    /** An IAM identity the double knows: its key pair and what GetCallerIdentity says about it. */
    public record Identity(String accessKeyId, String secret, String arn, String account, String userId) {
    }

    /** How the double answers. */
    public enum Mode { OK, THROTTLE, TOO_MANY_REQUESTS, SERVER_ERROR, STALL }

    private final HttpServer server;
    private final Map<String, Identity> identities = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Mode mode = Mode.OK;
    private volatile Duration latency = Duration.ZERO;
    private final Clock clock;

    private FakeSts(Clock clock) throws IOException {
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-sts");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeSts start() throws IOException {
        return new FakeSts(Clock.systemUTC());
    }

    public static FakeSts start(Clock clock) throws IOException {
        return new FakeSts(clock);
    }

    public FakeSts add(Identity identity) {
        identities.put(identity.accessKeyId(), identity);
        return this;
    }

    public void mode(Mode m) {
        mode = m;
    }

    public void latency(Duration d) {
        latency = d;
    }

    public int calls() {
        return calls.get();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        calls.incrementAndGet();
        try {
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            switch (mode) {
                case THROTTLE -> {
                    error(x, 400, "Throttling", "Rate exceeded");
                    return;
                }
                case TOO_MANY_REQUESTS -> {
                    error(x, 429, "Throttling", "Rate exceeded");
                    return;
                }
                case SERVER_ERROR -> {
                    error(x, 500, "InternalFailure", "internal failure");
                    return;
                }
                case STALL -> {
                    Thread.sleep(30_000);
                    return;
                }
                default -> {
                }
            }
            Identity who = check(x);
            if (who == null) {
                return;
            }
            boolean json = String.valueOf(x.getRequestHeaders().getFirst("Accept")).contains("application/json");
            String body = json
                    ? "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"" + who.account()
                    + "\",\"Arn\":\"" + who.arn() + "\",\"UserId\":\"" + who.userId()
                    + "\"},\"ResponseMetadata\":{\"RequestId\":\"1\"}}}"
                    : "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
                    + "<Arn>" + who.arn() + "</Arn><UserId>" + who.userId() + "</UserId><Account>" + who.account()
                    + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                    + "</GetCallerIdentityResponse>";
            send(x, 200, json ? "application/json" : "text/xml", body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            error(x, 500, "InternalFailure", e.toString());
        } finally {
            x.close();
        }
    }

    /** The identity that signed the request, or null after answering the error STS would give. */
    private Identity check(HttpExchange x) throws Exception {
        URI uri = x.getRequestURI();
        if (!"GET".equals(x.getRequestMethod()) || !"/".equals(uri.getRawPath()) || uri.getRawQuery() == null) {
            error(x, 400, "InvalidAction", "not a presigned GetCallerIdentity");
            return null;
        }
        Map<String, String> q = new TreeMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        if (!"GetCallerIdentity".equals(q.get("Action")) || !"2011-06-15".equals(q.get("Version"))) {
            error(x, 400, "InvalidAction", "unknown action");
            return null;
        }
        String clusterId = x.getRequestHeaders().getFirst("x-k8s-aws-id");
        String credential = q.getOrDefault("X-Amz-Credential", "");
        Identity who = identities.get(credential.split("/")[0]);
        if (who == null || clusterId == null) {
            error(x, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
            return null;
        }
        Instant signedAt = LocalDateTime.parse(q.get("X-Amz-Date"), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                .toInstant(ZoneOffset.UTC);
        if (clock.instant().isAfter(signedAt.plus(Duration.ofMinutes(15)))) {
            error(x, 403, "ExpiredToken", "Request has expired");
            return null;
        }
        String host = x.getRequestHeaders().getFirst("Host");
        String region = credential.split("/")[2];
        String expected = signature(q, host, clusterId, who.secret(), region);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                q.getOrDefault("X-Amz-Signature", "").getBytes(StandardCharsets.UTF_8))) {
            error(x, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
            return null;
        }
        return who;
    }

    /** SigV4 over GET / with the given query, and the host and x-k8s-aws-id headers (whichever are signed). */
    static String signature(Map<String, String> query, String host, String clusterId, String secret, String region) throws Exception {
        Map<String, String> q = new TreeMap<>(query);
        q.remove("X-Amz-Signature");
        String canonicalQuery = q.entrySet().stream()
                .map(e -> awsEncode(e.getKey()) + "=" + awsEncode(e.getValue()))
                .sorted().collect(Collectors.joining("&"));
        String signedHeaders = q.getOrDefault("X-Amz-SignedHeaders", "");
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String h : signedHeaders.split(";")) {
            switch (h) {
                case "host" -> canonicalHeaders.append("host:").append(host).append('\n');
                case "x-k8s-aws-id" -> canonicalHeaders.append("x-k8s-aws-id:").append(clusterId).append('\n');
                default -> throw new IllegalArgumentException("unexpected signed header " + h);
            }
        }
        String canonicalRequest = String.join("\n", "GET", "/", canonicalQuery, canonicalHeaders.toString(),
                signedHeaders, hex(sha256("")));
        String amzDate = q.get("X-Amz-Date");
        String day = amzDate.substring(0, 8);
        String scope = day + "/" + region + "/sts/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope, hex(sha256(canonicalRequest)));
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        k = hmac(k, region);
        k = hmac(k, "sts");
        k = hmac(k, "aws4_request");
        return hex(hmac(k, stringToSign));
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        boolean json = String.valueOf(x.getRequestHeaders().getFirst("Accept")).contains("application/json");
        String body = json
                ? "{\"Error\":{\"Code\":\"" + code + "\",\"Message\":\"" + message + "\",\"Type\":\"Sender\"},\"RequestId\":\"1\"}"
                : "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" + code
                + "</Code><Message>" + message + "</Message></Error><RequestId>1</RequestId></ErrorResponse>";
        send(x, status, json ? "application/json" : "text/xml", body);
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String awsEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
