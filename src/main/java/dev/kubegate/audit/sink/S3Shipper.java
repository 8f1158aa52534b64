package dev.kubegate.audit.sink;

import dev.kubegate.audit.Segments;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The S3 sink: ships a stream's closed segments from the local write-ahead log to a bucket, in
 * order, each once (keys are the segment names, so a retry rewrites the same object), with Object
 * Lock retention when the bucket has Object Lock enabled. Then it ships the stream's head — the
 * closing checkpoint of the last shipped segment, so the bucket's head never runs ahead of its
 * segments — and the public keys. Progress (the last shipped segment) is kept in
 * {@code <stream>/shipped}. Runs on its own thread (AWS SDK sync client); while S3 is unreachable it
 * retries, and once more than {@code maxPendingBytes} of closed segments wait, {@link #failure()}
 * makes the audit log refuse records (fail closed).
 */
public final class S3Shipper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(S3Shipper.class.getName());
    static final String SHIPPED = "shipped";

    private final S3Location location;
    private final S3Client s3;
    private final Path root;
    private final Path dir;
    private final String stream;
    private final Optional<Duration> retention;
    private final ObjectLockMode mode;
    private final long maxPendingBytes;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private volatile String lastError;
    private volatile long pendingBytes;
    private volatile int pendingSegments;
    private volatile boolean locked;
    private volatile boolean lockChecked;
    private volatile boolean keysShipped;

    public S3Shipper(S3Location location, S3Client s3, Path root, String stream, Optional<Duration> retention,
                     String retentionMode, long maxPendingBytes, Duration retryInterval, Clock clock) {
        this.location = location;
        this.s3 = s3;
        this.root = root;
        this.dir = root.resolve(stream);
        this.stream = stream;
        this.retention = retention;
        this.mode = ObjectLockMode.fromValue(retentionMode.toUpperCase());
        if (mode == ObjectLockMode.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("kubegate.audit.s3.retention-mode must be GOVERNANCE or COMPLIANCE, not " + retentionMode);
        }
        this.maxPendingBytes = maxPendingBytes;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kubegate-audit-s3-" + stream);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::shipPending, 0, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A segment was closed: ship it soon. Called on the audit writer thread; never blocks. */
    public void sealed(Path segment) {
        executor.execute(this::shipPending);
    }

    /** Why the audit log must refuse records (S3 unreachable and too much waiting), or null. */
    public String failure() {
        String e = lastError;
        long p = pendingBytes;
        return e != null && p > maxPendingBytes
                ? p + " bytes of audit segments wait for " + location.describe() + " (over kubegate.audit.s3.max-pending): " + e
                : null;
    }

    public String lastError() {
        return lastError;
    }

    public long pendingBytes() {
        return pendingBytes;
    }

    /** Closed segments not shipped yet (as of the last attempt). */
    public int pendingSegments() {
        return pendingSegments;
    }

    public boolean objectLock() {
        return locked;
    }

    /** Ships every closed segment not shipped yet, in order; stops at the first failure (order is kept). */
    void shipPending() {
        try {
            checkObjectLock();
            if (!keysShipped) {
                shipKeys();
            }
            List<Path> segments = Segments.list(dir);
            String shipped = shipped();
            // The last segment is the one being written: closed ones are all before it.
            List<Path> closed = segments.isEmpty() ? List.of() : segments.subList(0, segments.size() - 1);
            long pending = 0;
            int count = 0;
            for (Path p : closed) {
                if (p.getFileName().toString().compareTo(shipped) > 0) {
                    pending += Files.size(p);
                    count++;
                }
            }
            pendingBytes = pending;
            pendingSegments = count;
            Path last = null;
            for (Path p : closed) {
                String name = p.getFileName().toString();
                if (name.compareTo(shipped) <= 0) continue;
                put(location.prefix() + stream + "/" + name, Files.readAllBytes(p), true);
                last = p;
                markShipped(name);
                pending -= Files.size(p);
                pendingBytes = pending;
                pendingSegments = --count;
            }
            if (last != null) {
                put(location.prefix() + stream + "/" + Segments.HEAD, lastLine(last), false);
            }
            if (lastError != null) {
                LOG.info("audit S3 sink: " + location.describe() + " reachable again; backlog shipped");
            }
            lastError = null;
        } catch (IOException | SdkException e) {
            if (lastError == null) {
                LOG.warning("audit S3 sink: cannot ship to " + location.describe() + ": " + e.getMessage());
            }
            lastError = e.getMessage();
        }
    }

    private void checkObjectLock() {
        if (lockChecked) {
            return;
        }
        try {
            var cfg = s3.getObjectLockConfiguration(b -> b.bucket(location.bucket()));
            locked = cfg.objectLockConfiguration() != null
                    && cfg.objectLockConfiguration().objectLockEnabled() == ObjectLockEnabled.ENABLED;
        } catch (SdkException e) {
            locked = false; // no Object Lock configuration (or a store without it)
        }
        lockChecked = true;
        if (retention.isPresent() && !locked) {
            LOG.warning("audit S3 sink: kubegate.audit.s3.retention is set but " + location.describe()
                    + " has no Object Lock: segments are uploaded without retention");
        }
    }

    private void shipKeys() throws IOException {
        Path keys = root.resolve(Segments.KEYS);
        if (Files.isDirectory(keys)) {
            try (var files = Files.list(keys)) {
                for (Path k : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".pub"))::iterator) {
                    put(location.prefix() + Segments.KEYS + "/" + k.getFileName(), Files.readAllBytes(k), false);
                }
            }
        }
        keysShipped = true;
    }

    private void put(String key, byte[] body, boolean retain) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(location.bucket()).key(key)
                .contentType("application/x-ndjson");
        if (retain && locked && retention.isPresent()) {
            b.objectLockMode(mode).objectLockRetainUntilDate(clock.instant().plus(retention.get()));
        }
        s3.putObject(b.build(), RequestBody.fromBytes(body));
    }

    private String shipped() throws IOException {
        Path f = dir.resolve(SHIPPED);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.US_ASCII).strip() : "";
    }

    private void markShipped(String name) throws IOException {
        Path tmp = dir.resolve(SHIPPED + ".tmp");
        Files.writeString(tmp, name + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(SHIPPED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The last line of a closed segment: its closing checkpoint, which becomes the bucket's head. */
    private static byte[] lastLine(Path segment) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        int end = all.length;
        int start = end - 1;
        while (start > 0 && all[start - 1] != '\n') start--;
        return java.util.Arrays.copyOfRange(all, Math.max(0, start), end);
    }

    /** Ships what is closed now, then stops. */
    @Override
    public void close() {
        executor.execute(this::shipPending);
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s3.close();
    }
}
