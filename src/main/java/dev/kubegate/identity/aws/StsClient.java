package dev.kubegate.identity.aws;

import dev.kubegate.k8s.Status;
import dev.kubegate.identity.AuthenticationException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Replays a token's presigned GetCallerIdentity request against STS, non-blocking (Vert.x HTTP client),
 * with kubegate's cluster id in the {@code x-k8s-aws-id} header: STS verifies the signature over it,
 * so a token signed for another id (an EKS cluster) fails there. The request goes to the token's own
 * host, or to a configured endpoint with the token's host kept as Host (what the signature covers).
 * Redirects are not followed; answers are read up to 64 KiB.
 *
 * <p>Outcomes: the caller's identity; {@link AuthenticationException#invalid} when STS refuses the
 * token (4xx); {@link AuthenticationException#unavailable} when STS throttles, fails (5xx), times out
 * or cannot be reached.
 */
public final class StsClient implements AutoCloseable {

    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded",
            "TooManyRequestsException", "RequestThrottled", "SlowDown");

    private final Vertx vertx;
    private final HttpClient client;
    private final Optional<URI> endpoint;
    private final Duration timeout;

    public StsClient(Vertx vertx, Optional<URI> endpoint, Duration timeout) {
        endpoint.ifPresent(e -> {
            if (!"https".equals(e.getScheme()) && !"http".equals(e.getScheme()) || e.getHost() == null) {
                throw new IllegalArgumentException("kubegate.identity.aws.sts-endpoint must be an http(s) URL: " + e);
            }
        });
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setKeepAlive(true)
                .setVerifyHost(true)
                .setForceSni(true)
                .setMaxInitialLineLength(16 * 1024)
                .setTracingPolicy(TracingPolicy.IGNORE), new PoolOptions().setHttp1MaxSize(32).setMaxWaitQueueSize(1024));
    }

    public Uni<CallerIdentity> getCallerIdentity(AwsToken token, String clusterId) {
        boolean ssl = endpoint.map(e -> "https".equals(e.getScheme())).orElse(true);
        SocketAddress server = endpoint
                .map(e -> SocketAddress.inetSocketAddress(e.getPort() > 0 ? e.getPort() : (ssl ? 443 : 80), e.getHost()))
                .orElse(SocketAddress.inetSocketAddress(443, token.host()));
        RequestOptions ro = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setServer(server)
                .setHost(token.host()) // the Host header: the signed host, wherever the request goes
                .setPort(ssl ? 443 : 80)
                .setSsl(ssl)
                .setURI("/?" + token.rawQuery())
                .setFollowRedirects(false)
                .setIdleTimeout(timeout.toMillis())
                .putHeader(AwsToken.CLUSTER_ID_HEADER, clusterId)
                .putHeader("Accept", "application/json");
        // Started on a Vert.x context: response handlers must be set on its thread before the body arrives.
        Promise<CallerIdentity> answered = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.request(ro)
                .compose(req -> req.send())
                .compose(resp -> readBounded(resp).map(body -> interpret(resp.statusCode(), body)))
                .onComplete(answered));
        Future<CallerIdentity> answer = answered.future();
        return Uni.createFrom().completionStage(answer.toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer within " + timeout))
                .onFailure(f -> !(f instanceof AuthenticationException))
                .transform(f -> AuthenticationException.unavailable(
                        "kubegate could not verify the AWS IAM token with STS: " + describe(f), f));
    }

    static CallerIdentity interpret(int status, String body) {
        if (status == 200) {
            try {
                return CallerIdentity.parse(body);
            } catch (IllegalArgumentException e) {
                throw AuthenticationException.unavailable("STS's answer could not be read: " + Status.describe(e), e);
            }
        }
        String code = CallerIdentity.errorCode(body);
        if (status == 429 || THROTTLING.contains(code)) {
            throw AuthenticationException.unavailable("STS is throttling GetCallerIdentity calls (" + status
                    + (code.isEmpty() ? "" : " " + code) + "): retry shortly", null);
        }
        if (status >= 400 && status < 500) {
            throw AuthenticationException.invalid("AWS IAM token refused by STS (" + status
                    + (code.isEmpty() ? "" : " " + code)
                    + "): the signature may be invalid, expired, or made for another cluster id than kubegate's");
        }
        throw AuthenticationException.unavailable("STS answered " + status + (code.isEmpty() ? "" : " " + code), null);
    }

    private static Future<String> readBounded(HttpClientResponse resp) {
        Promise<String> p = Promise.promise();
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
                resp.request().reset();
                p.tryFail(new IllegalStateException("STS's answer is over " + MAX_ANSWER_BYTES + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        resp.exceptionHandler(p::tryFail);
        resp.endHandler(v -> p.tryComplete(body.toString()));
        return p.future();
    }

    private static String describe(Throwable f) {
        String m = f.getMessage();
        return f.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void close() {
        client.close();
    }
}
