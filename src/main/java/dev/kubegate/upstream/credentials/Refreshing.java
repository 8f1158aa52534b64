package dev.kubegate.upstream.credentials;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Future;

/**
 * A credential kept fresh in the background: the cached value, its expiry, the next scheduled refresh and
 * a backoff after failures. Shared by exec plugins, EKS tokens and token files.
 *
 * <p>The first value is fetched synchronously by {@link #start} (at start-up, so a misconfiguration fails
 * start-up with a clear message); later fetches run on the {@link Scheduler}'s thread. {@link #current()}
 * and {@link #ready()} only read a volatile field: they never block.
 */
final class Refreshing<T> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Refreshing.class);

    static final Duration MIN_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /**
     * One fetched value.
     *
     * @param expiresAt    when the value stops being accepted; null when unknown (never expires as far as we know)
     * @param refreshAfter when to fetch again; null to derive it from {@code expiresAt} (two thirds of the
     *                     remaining validity, so a 15-minute EKS token is renewed after 10), or never without one
     */
    record Value<T>(T value, Instant expiresAt, Duration refreshAfter) {
        Value {
            Objects.requireNonNull(value);
        }

        static <T> Value<T> forever(T value) {
            return new Value<>(value, null, null);
        }
    }

    @FunctionalInterface
    interface Source<T> {
        /** May block (runs at start-up or on the scheduler thread). Throw to report a failure. */
        Value<T> fetch() throws Exception;
    }

    private final String what;
    private final Source<T> source;
    private final Scheduler scheduler;
    private final Clock clock;
    private volatile Value<T> current;
    private volatile Throwable lastFailure;
    private volatile boolean closed;
    private Duration backoff = Duration.ZERO; // only touched by the refresh task, which never runs concurrently
    private Future<?> next;

    private Refreshing(String what, Source<T> source, Scheduler scheduler, Clock clock) {
        this.what = what;
        this.source = source;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** A value that never changes and needs no thread. */
    static <T> Refreshing<T> fixed(T value) {
        Refreshing<T> r = new Refreshing<>("fixed", null, null, Clock.systemUTC());
        r.current = Value.forever(value);
        return r;
    }

    /**
     * Fetches the first value on the calling thread, then schedules refreshes.
     *
     * @param what names the credential in messages, e.g. "exec plugin aws"
     * @throws UpstreamCredentialsException when the first fetch fails, with the cause's message
     */
    static <T> Refreshing<T> start(String what, Source<T> source, Scheduler scheduler, Clock clock) {
        Refreshing<T> r = new Refreshing<>(what, source, scheduler, clock);
        Value<T> first;
        try {
            first = r.fetchValid();
        } catch (UpstreamCredentialsException e) {
            throw e;
        } catch (Exception e) {
            throw new UpstreamCredentialsException(what + ": " + message(e), e);
        }
        r.current = first;
        r.scheduleAfterSuccess(first);
        return r;
    }

    T current() {
        return current.value();
    }

    /** False once the cached value has expired (which only happens when refreshing it keeps failing). */
    boolean ready() {
        Instant expiresAt = current.expiresAt();
        return expiresAt == null || clock.instant().isBefore(expiresAt);
    }

    Instant expiresAt() {
        return current.expiresAt();
    }

    /** The last refresh's failure, null after a success; for health details. */
    Throwable lastFailure() {
        return lastFailure;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
    }

    private Value<T> fetchValid() throws Exception {
        Value<T> v = source.fetch();
        // An already-expired credential would only earn 401s: count it as a failed refresh.
        if (v.expiresAt() != null && !clock.instant().isBefore(v.expiresAt())) {
            throw new UpstreamCredentialsException(what + " returned a credential that expired at " + v.expiresAt());
        }
        return v;
    }

    private void refresh() {
        if (closed) {
            return;
        }
        try {
            Value<T> v = fetchValid();
            current = v;
            if (lastFailure != null) {
                LOG.infof("%s: refreshed after earlier failures", what);
            }
            lastFailure = null;
            backoff = Duration.ZERO;
            scheduleAfterSuccess(v);
        } catch (Throwable e) { // anything: an escaping exception would silently end the refresh chain
            lastFailure = e;
            // Exponential backoff from 1 s to 1 min; the cached value keeps serving until it expires.
            backoff = backoff.isZero() ? MIN_DELAY : min(backoff.multipliedBy(2), MAX_BACKOFF);
            LOG.warnf("%s: refresh failed (retrying in %ss, cached credential %s): %s", what, backoff.toSeconds(),
                    ready() ? "still valid" : "EXPIRED", message(e));
            schedule(backoff);
        }
    }

    private void scheduleAfterSuccess(Value<T> v) {
        Duration delay = v.refreshAfter();
        if (delay == null && v.expiresAt() != null) {
            delay = Duration.between(clock.instant(), v.expiresAt()).multipliedBy(2).dividedBy(3);
        }
        if (delay != null) {
            schedule(delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay);
        }
    }

    private synchronized void schedule(Duration delay) {
        if (!closed) {
            next = scheduler.schedule(this::refresh, delay);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
