package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One writer stream of the audit log: a hash chain of entries appended to segments on local disk by
 * one dedicated thread — the only thread that touches the files; callers only enqueue.
 *
 * <p><b>Acknowledgement.</b> {@link #append} returns a future that completes when the entry is
 * durable by the {@link FsyncPolicy} (group commit: entries queued while the writer fsyncs share the
 * next fsync). The gateway forwards a mutating call only after its entry is acknowledged.
 *
 * <p><b>Failure.</b> When a write or fsync fails (disk full, directory unwritable), the failed
 * batch's futures fail, the log turns unhealthy ({@link #failure()}), entries stay queued in order,
 * and new <em>gating</em> appends are refused at once. Every retry interval the writer recovers from
 * what is on disk — drops a torn last line, skips queued entries already written (by id), seals the
 * segment with a checkpoint — and writes the queue in order: nothing lost, nothing twice. The same
 * recovery runs at start, after a crash. The queue is bounded ({@code maxBuffered}); when full,
 * appends are refused.
 *
 * <p><b>Checkpoints.</b> Every {@code checkpointInterval} (when something was written since the last
 * one), at rotation, at recovery and at shutdown the writer appends a checkpoint entry carrying an
 * Ed25519 signature over {@link #checkpointMessage} — the chain head it follows — and stores it as the
 * stream's {@code head.json}, against which a verifier detects a truncated tail.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());
    private static final int MAX_BATCH = 4096;

    /**
     * @param root               the audit directory; this stream writes under {@code root/stream}
     * @param stream             the writer stream id (one per replica)
     * @param segmentBytes       rotate when a segment would grow past this
     * @param segmentAge         rotate a segment this old
     * @param checkpointInterval sign the chain head this often
     * @param maxBuffered        entries queued (not yet durable) before appends are refused
     * @param retryInterval      how often an unhealthy writer tries to recover
     */
    public record Options(Path root, String stream, FsyncPolicy fsync, long segmentBytes, Duration segmentAge,
                          Duration checkpointInterval, int maxBuffered, Duration retryInterval) {
    }

    /** What an appended entry became: its place in the chain. */
    public record Appended(String id, long seq, String hash) {
    }

    /** {@code hash}: the entry's hash in the chain once sealed (null while queued). */
    private record Pending(ObjectNode entry, CompletableFuture<Appended> done, boolean gate, String hash) {
        Pending(ObjectNode entry, CompletableFuture<Appended> done, boolean gate) {
            this(entry, done, gate, null);
        }

        String id() {
            return entry.path("id").asText();
        }
    }

    private final Options options;
    private final SigningKeys.Signer signer;
    private final Clock clock;
    private final Path dir;
    private final Consumer<Path> onSealed;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Thread thread;
    private volatile String failure = "starting";
    private volatile boolean closing;
    private volatile long durableSeq;
    private volatile Instant lastCheckpointAt;

    // Writer-thread state.
    private FileChannel channel;
    private Path segment;
    private Instant segmentOpened;
    private long segmentSize;
    private long seq;
    private String head = Canonical.ZERO_HASH;
    private long lastCheckpointSeq = -1;
    private long nextCheckpoint;
    private final List<Pending> unsynced = new ArrayList<>();
    private long syncDeadline;
    /** The writer thread's batch buffer, kept: a fresh 64 KiB buffer per batch was zeroed for a few hundred bytes. */
    private ByteBuffer batchBuffer = ByteBuffer.allocate(64 * 1024);

    /**
     * Starts the writer (recovering the stream from disk first, on its thread). Publishes the
     * signer's public key under {@code root/keys}.
     *
     * @param onSealed called on the writer thread with each segment closed by rotation (hand off work)
     */
    public AuditLog(Options options, SigningKeys.Signer signer, Clock clock, Consumer<Path> onSealed) throws IOException {
        this.options = options;
        this.signer = signer;
        this.clock = clock;
        this.onSealed = onSealed == null ? p -> { } : onSealed;
        this.dir = options.root().resolve(options.stream());
        Files.createDirectories(dir);
        publishKey(options.root(), signer);
        // Recover on the caller's thread so that a log that can be written is ready when this returns;
        // a failure leaves the log unhealthy and the writer thread keeps trying.
        boolean recovered;
        try {
            recover();
            failure = null;
            recovered = true;
        } catch (IOException | RuntimeException e) {
            fail(e, List.of());
            recovered = false;
        }
        boolean startRecovered = recovered;
        this.thread = new Thread(() -> run(startRecovered), "kubegate-audit-writer-" + options.stream());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public static void publishKey(Path root, SigningKeys.Signer signer) throws IOException {
        Path keys = root.resolve(Segments.KEYS);
        Files.createDirectories(keys);
        Path pub = keys.resolve(signer.keyId() + ".pub");
        if (!Files.exists(pub)) {
            Path tmp = keys.resolve(signer.keyId() + ".pub.tmp");
            Files.writeString(tmp, SigningKeys.publicPem(signer.publicKey()), StandardCharsets.US_ASCII);
            Files.move(tmp, pub, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public String stream() {
        return options.stream();
    }

    public SigningKeys.Signer signer() {
        return signer;
    }

    /** Why entries cannot be accepted now, or null when the log is healthy. */
    public String failure() {
        return failure;
    }

    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    public long durableSeq() {
        return durableSeq;
    }

    public Instant lastCheckpointAt() {
        return lastCheckpointAt;
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Queues an entry (the log takes ownership of the node; it gets {@code stream}, {@code seq},
     * {@code prev} and an {@code id} when it has none).
     *
     * @param gate true when a call waits on this entry: refused at once while the log is unhealthy,
     *             since the caller will refuse its call anyway
     * @return completes with the entry's place once durable; fails with {@link AuditUnavailableException}
     */
    public CompletableFuture<Appended> append(ObjectNode entry, boolean gate) {
        if (!entry.hasNonNull("id")) {
            entry.put("id", newId());
        }
        CompletableFuture<Appended> done = new CompletableFuture<>();
        synchronized (lock) {
            String why = closing ? "the audit log is closed" : gate ? failure : null;
            if (why == null && queue.size() >= options.maxBuffered()) {
                why = "the audit buffer is full (" + options.maxBuffered() + " entries not yet written)";
            }
            if (why != null) {
                done.completeExceptionally(new AuditUnavailableException("the audit log cannot accept records: " + why));
                return done;
            }
            queue.addLast(new Pending(entry, done, gate));
            lock.notifyAll();
        }
        return done;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- writer thread

    private void run(boolean recovered) {
        while (true) {
            if (!recovered) {
                try {
                    recover();
                    recovered = true;
                    failure = null;
                } catch (IOException | RuntimeException e) {
                    fail(e, List.of());
                    if (closing) {
                        return;
                    }
                    sleep(options.retryInterval());
                    continue;
                }
            }
            List<Pending> batch = new ArrayList<>();
            synchronized (lock) {
                while (queue.isEmpty() && !closing) {
                    long now = System.nanoTime();
                    long until = Math.min(nextCheckpoint, unsynced.isEmpty() ? Long.MAX_VALUE : syncDeadline);
                    if (now >= until) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, (until - now) / 1_000_000));
                    } catch (InterruptedException e) {
                        closing = true;
                    }
                }
                while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(queue.pollFirst());
                }
            }
            List<Pending> attempted = new ArrayList<>(unsynced);
            attempted.addAll(batch);
            try {
                write(batch);
                sync(closing);
                if (System.nanoTime() >= nextCheckpoint) {
                    if (expired()) {
                        rotate("rotation");
                    }
                    checkpointIfNew("interval");
                }
                if (closing && queueEmpty()) {
                    checkpointIfNew("shutdown");
                    closeChannel();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                requeue(attempted);
                fail(e, attempted);
                recovered = false;
                if (closing) {
                    return;
                }
                sleep(options.retryInterval());
            }
        }
    }

    private boolean queueEmpty() {
        synchronized (lock) {
            return queue.isEmpty();
        }
    }

    private void write(List<Pending> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        ByteBuffer buf = batchBuffer;
        buf.clear();
        for (Pending p : batch) {
            Canonical.Sealed sealed = sealNext(p.entry());
            byte[] line = sealed.line();
            if (segmentSize + buf.position() + line.length > options.segmentBytes() && segmentSize + buf.position() > 0
                    || expired()) {
                // Undo the tentative seal: rotation appends a checkpoint first.
                seq--;
                head = prevOf(p.entry());
                flush(buf);
                rotate("rotation");
                sealed = sealNext(p.entry());
                line = sealed.line();
            }
            if (buf.remaining() < line.length) {
                flush(buf);
                if (buf.capacity() < line.length) {
                    buf = ByteBuffer.allocate(line.length); // this batch only: one oversize entry does not keep a big buffer
                }
            }
            buf.put(line);
            unsynced.add(new Pending(p.entry(), p.done(), p.gate(), sealed.hash()));
            if (unsynced.size() == 1) {
                syncDeadline = System.nanoTime() + options.fsync().window().toNanos();
            }
        }
        flush(buf);
    }

    private static String prevOf(ObjectNode entry) {
        return entry.path("prev").asText();
    }

    private boolean expired() {
        return segmentSize > 0 && clock.instant().isAfter(segmentOpened.plus(options.segmentAge()));
    }

    private Canonical.Sealed sealNext(ObjectNode entry) {
        entry.put("stream", options.stream());
        entry.put("seq", seq + 1);
        entry.put("prev", head);
        if (!entry.has("time")) {
            entry.put("time", clock.instant().toString());
        }
        Canonical.Sealed sealed = Canonical.seal(entry);
        seq++;
        head = sealed.hash();
        return sealed;
    }

    private void flush(ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            segmentSize += channel.write(buf);
        }
        buf.clear();
    }

    /** Makes the unsynced entries durable when the policy says so now, and acknowledges them. */
    private void sync(boolean force) throws IOException {
        if (unsynced.isEmpty()) {
            return;
        }
        switch (options.fsync().mode()) {
            case ALWAYS -> channel.force(false);
            case BATCH -> {
                if (!force && System.nanoTime() < syncDeadline) {
                    return;
                }
                channel.force(false);
            }
            case NEVER -> {
            }
        }
        acknowledge();
    }

    private void acknowledge() {
        for (Pending p : unsynced) {
            p.done().complete(new Appended(p.id(), p.entry().path("seq").asLong(), p.hash()));
        }
        unsynced.clear();
        durableSeq = seq;
    }

    private void checkpointIfNew(String reason) throws IOException {
        if (seq > lastCheckpointSeq) {
            checkpoint(reason);
        }
        nextCheckpoint = System.nanoTime() + options.checkpointInterval().toNanos();
    }

    /** The bytes a checkpoint's signature covers. */
    public static byte[] checkpointMessage(String stream, long seq, String prev, String time) {
        return ("kubegate-audit-checkpoint/v1\n" + stream + "\n" + seq + "\n" + prev + "\n" + time)
                .getBytes(StandardCharsets.UTF_8);
    }

    private void checkpoint(String reason) throws IOException {
        ObjectNode cp = Canonical.JSON.createObjectNode();
        String time = clock.instant().toString();
        cp.put("type", "checkpoint");
        cp.put("id", newId());
        cp.put("time", time);
        cp.put("reason", reason);
        cp.put("keyId", signer.keyId());
        cp.put("signature", signer.sign(checkpointMessage(options.stream(), seq + 1, head, time)));
        Canonical.Sealed sealed = sealNext(cp);
        ByteBuffer buf = ByteBuffer.wrap(sealed.line());
        while (buf.hasRemaining()) {
            segmentSize += channel.write(buf);
        }
        channel.force(false);
        acknowledge();
        lastCheckpointSeq = seq;
        lastCheckpointAt = clock.instant();
        Path tmp = dir.resolve(Segments.HEAD + ".tmp");
        try (FileChannel h = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            h.write(ByteBuffer.wrap(sealed.line()));
            h.force(false);
        }
        Files.move(tmp, dir.resolve(Segments.HEAD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void rotate(String reason) throws IOException {
        checkpoint(reason);
        Path sealed = segment;
        closeChannel();
        open(seq + 1);
        onSealed.accept(sealed);
    }

    private void open(long firstSeq) throws IOException {
        segment = dir.resolve(Segments.name(firstSeq));
        channel = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        segmentSize = channel.size();
        channel.position(segmentSize);
        segmentOpened = clock.instant();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the segment's own fsyncs still hold
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing or closed
            }
            channel = null;
        }
    }

    /**
     * Rebuilds the writer's state from disk: the last segment's last intact entry is the chain head
     * (a torn or corrupt tail is cut off), queued entries already on disk are acknowledged and
     * dropped from the queue, the segment is sealed with a checkpoint, and a new one is opened.
     */
    private void recover() throws IOException {
        closeChannel();
        unsynced.clear();
        Files.createDirectories(dir);
        List<Path> segments = new ArrayList<>(Segments.list(dir));
        Set<String> written = new HashSet<>();
        Tail tail = null;
        while (!segments.isEmpty()) {
            Path last = segments.get(segments.size() - 1);
            tail = readTail(last, written);
            if (tail.seq > 0) {
                break;
            }
            Files.delete(last); // nothing intact in it: an empty segment from an interrupted start
            segments.remove(segments.size() - 1);
            tail = null;
        }
        if (segments.size() >= 2) {
            readTail(segments.get(segments.size() - 2), written); // a failed batch may span a rotation
        }
        if (tail != null) {
            if (tail.seq < seq) {
                LOG.severe("audit stream " + options.stream() + ": entries " + (tail.seq + 1) + ".." + seq
                        + " acknowledged earlier are not on disk (fsync=never?)");
            }
            seq = tail.seq;
            head = tail.hash;
            segment = segments.get(segments.size() - 1);
            channel = FileChannel.open(segment, StandardOpenOption.WRITE);
            if (channel.size() > tail.end) {
                // A torn write (crash mid-append): keep the cut bytes beside the segment, then cut them.
                Path torn = dir.resolve(segment.getFileName() + ".torn-" + clock.millis());
                try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ);
                     FileChannel out = FileChannel.open(torn, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    in.transferTo(tail.end, in.size() - tail.end, out);
                    out.force(false);
                }
                LOG.warning("audit stream " + options.stream() + ": cutting " + (channel.size() - tail.end)
                        + " bytes of an incomplete entry at the end of " + segment.getFileName() + " (kept in " + torn.getFileName() + ")");
                channel.truncate(tail.end);
                channel.force(false);
            }
            segmentSize = tail.end;
            channel.position(segmentSize);
            lastCheckpointSeq = tail.lastIsCheckpoint ? seq : -1;
        }
        synchronized (lock) {
            while (!queue.isEmpty() && written.contains(queue.peekFirst().id())) {
                Pending p = queue.pollFirst();
                p.done().complete(new Appended(p.id(), p.entry().path("seq").asLong(), null));
            }
        }
        if (channel != null) {
            if (!tail.lastIsCheckpoint) {
                checkpoint("recovery");
            }
            Path sealed = segment;
            closeChannel();
            open(seq + 1);
            onSealed.accept(sealed);
        } else {
            open(seq + 1);
        }
        durableSeq = seq;
        nextCheckpoint = System.nanoTime() + options.checkpointInterval().toNanos();
    }

    private static final class Tail {
        long seq;
        String hash;
        long end;
        boolean lastIsCheckpoint;
    }

    /**
     * The last intact entry of a segment (complete line, matching hash). Lines before it that are
     * damaged are left alone — the verifier reports them; only bytes after it (a torn write) are cut.
     */
    private Tail readTail(Path segment, Set<String> ids) throws IOException {
        Tail t = new Tail();
        Segments.scan(segment, (lineNo, line, len, end, complete) -> {
            if (!complete) {
                return false;
            }
            Canonical.Opened o = Canonical.open(line, len);
            if (o == null || !o.intact()) {
                return true;
            }
            JsonNode n = Canonical.JSON.readTree(o.body());
            t.seq = n.path("seq").asLong();
            t.hash = o.hash();
            t.end = end;
            t.lastIsCheckpoint = "checkpoint".equals(n.path("type").asText());
            ids.add(n.path("id").asText());
            return true;
        });
        return t;
    }

    private void requeue(List<Pending> attempted) {
        unsynced.clear();
        synchronized (lock) {
            for (int i = attempted.size() - 1; i >= 0; i--) {
                queue.addFirst(attempted.get(i));
            }
        }
    }

    private void fail(Throwable e, List<Pending> attempted) {
        String why = "writing " + dir + " failed: " + e;
        if (!why.equals(failure)) {
            LOG.log(Level.SEVERE, "audit log unavailable: " + why, e);
        }
        failure = why;
        AuditUnavailableException ex = new AuditUnavailableException("the audit log cannot write records: " + why, e);
        for (Pending p : attempted) {
            p.done().completeExceptionally(ex);
        }
        synchronized (lock) {
            // Calls waiting to be forwarded are refused now; their entries stay queued for the retry.
            for (Pending p : queue) {
                if (p.gate()) {
                    p.done().completeExceptionally(ex);
                }
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
