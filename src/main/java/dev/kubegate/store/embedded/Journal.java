package dev.kubegate.store.embedded;

import dev.kubegate.k8s.Status;
import dev.kubegate.store.StoreUnavailableException;
import dev.kubegate.store.embedded.JournalCodec.Entry;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The files of the embedded store under one directory: {@code snapshot} (generation {@code G}: the
 * whole state when it was written) and {@code journal-G} (every change since, appended and fsync'd).
 * Compaction writes snapshot {@code G+1} beside the old one, renames it over, then starts
 * {@code journal-(G+1)}; a crash at any point leaves a snapshot and the journal that belongs to it.
 *
 * <p>All file I/O after {@link #open} runs on one thread of its own, which commits writes in groups:
 * it takes every waiting line, writes them, forces the file once, then completes their futures.
 * A failed write fails that group and every later one (the store then refuses service: fail closed).
 */
final class Journal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Journal.class);
    private static final int MAX_BATCH = 4096;

    private sealed interface Op permits Write, Compact, Stop {
    }

    private record Write(byte[] line, CompletableFuture<Void> done) implements Op {
    }

    private record Compact(Supplier<List<byte[]>> state, CompletableFuture<Void> done) implements Op {
    }

    private record Stop() implements Op {
    }

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private long generation;
    private FileChannel journal;
    private volatile long journalBytes;
    private volatile Throwable failure;
    private Thread thread;

    private Journal(Path dir, FileChannel lockFile, FileLock lock, long generation) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
        this.generation = generation;
    }

    /**
     * Locks {@code dir} (one process per directory), then replays the snapshot and its journal into
     * {@code apply}. A journal whose last line is torn (a crash mid-write) loses that line with a
     * warning; any other damage fails with an {@link IOException} naming the file and line.
     */
    static Journal open(Path dir, Consumer<Entry> apply) throws IOException {
        Files.createDirectories(dir);
        FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockFile.close();
            throw new IOException("the state directory " + dir + " is in use by another kubegate process "
                    + "(the embedded store serves one replica; use kubegate.store=postgres for several)");
        }
        try {
            long generation = 0;
            Path snapshot = dir.resolve("snapshot");
            if (Files.exists(snapshot)) {
                generation = replay(snapshot, true, apply);
            }
            Path journal = journalFile(dir, generation);
            if (Files.exists(journal)) {
                replay(journal, false, apply);
            }
            return new Journal(dir, lockFile, lock, generation);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockFile.close();
            throw e;
        }
    }

    /**
     * Compacts the replayed state into a new snapshot (on the caller's thread: start-up), removes
     * files of older generations, and starts the journal thread.
     */
    void start(Supplier<List<byte[]>> state) throws IOException {
        compact(state.get());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if ((name.startsWith("journal-") && !f.equals(journalFile(dir, generation))) || name.equals("snapshot.tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
        thread = new Thread(this::run, "kubegate-store-journal");
        thread.setDaemon(true);
        thread.start();
    }

    /** Appends one encoded line; completes once it is on disk. */
    CompletableFuture<Void> append(byte[] line) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Throwable f = failure;
        if (f != null) {
            done.completeExceptionally(unavailable(f));
        } else {
            queue.add(new Write(line, done));
        }
        return done;
    }

    /** Replaces snapshot and journal with {@code state} (taken on the journal thread, after earlier writes). */
    CompletableFuture<Void> compactAsync(Supplier<List<byte[]>> state) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Compact(state, done));
        return done;
    }

    long journalBytes() {
        return journalBytes;
    }

    /** Non-null once a write failed: the store is unusable until restarted. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        if (thread != null) {
            queue.add(new Stop());
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (journal != null) {
                journal.close();
            }
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            LOG.warnf("closing the state journal in %s: %s", dir, e.getMessage());
        }
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        List<Write> pending = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH);
            boolean stop = false;
            for (Op op : batch) {
                if (op instanceof Write w) {
                    pending.add(w);
                } else if (op instanceof Compact c) {
                    commit(pending);
                    if (failure != null) {
                        c.done().completeExceptionally(unavailable(failure));
                        continue;
                    }
                    try {
                        compact(c.state().get());
                        c.done().complete(null);
                    } catch (IOException | RuntimeException e) {
                        fail(e);
                        c.done().completeExceptionally(unavailable(e));
                    }
                } else {
                    stop = true;
                }
            }
            commit(pending);
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void commit(List<Write> writes) {
        if (writes.isEmpty()) {
            return;
        }
        if (failure == null) {
            try {
                long bytes = 0;
                for (Write w : writes) {
                    ByteBuffer b = ByteBuffer.wrap(w.line());
                    while (b.hasRemaining()) {
                        journal.write(b);
                    }
                    bytes += w.line().length;
                }
                journal.force(false);
                journalBytes += bytes;
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }
        Throwable f = failure;
        for (Write w : writes) {
            if (f == null) {
                w.done().complete(null);
            } else {
                w.done().completeExceptionally(unavailable(f));
            }
        }
        writes.clear();
    }

    private void fail(Throwable e) {
        if (failure == null) {
            LOG.errorf(e, "writing the state journal in %s failed: the store refuses service until kubegate restarts", dir);
            failure = e;
        }
    }

    private void compact(List<byte[]> lines) throws IOException {
        long next = generation + 1;
        Path tmp = dir.resolve("snapshot.tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.wrap(JournalCodec.snapshotHeader(next));
            while (header.hasRemaining()) {
                out.write(header);
            }
            for (byte[] line : lines) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        }
        Path nextJournal = journalFile(dir, next);
        FileChannel fresh = FileChannel.open(nextJournal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, dir.resolve("snapshot"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        FileChannel old = journal;
        journal = fresh;
        journalBytes = 0;
        Path oldJournal = journalFile(dir, generation);
        generation = next;
        if (old != null) {
            old.close();
        }
        Files.deleteIfExists(oldJournal);
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be opened for sync; the rename is atomic regardless.
            LOG.debugf("cannot sync directory %s: %s", dir, e.getMessage());
        }
    }

    private static Path journalFile(Path dir, long generation) {
        return dir.resolve("journal-" + generation);
    }

    private static StoreUnavailableException unavailable(Throwable cause) {
        return new StoreUnavailableException("the embedded state store cannot write its journal: " + Status.describe(cause), cause);
    }

    /** Replays one file; answers the snapshot generation (snapshots) or 0. */
    private static long replay(Path file, boolean snapshot, Consumer<Entry> apply) throws IOException {
        long generation = -1;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] buf = new byte[1024];
            int lineNo = 0;
            while (true) {
                int len = 0;
                int c;
                while ((c = in.read()) != -1 && c != '\n') {
                    if (len == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                    buf[len++] = (byte) c;
                }
                if (c == -1 && len == 0) {
                    break;
                }
                lineNo++;
                boolean complete = c == '\n';
                Entry e = null;
                IOException damage = null;
                if (complete) {
                    try {
                        e = JournalCodec.decode(buf, len);
                    } catch (IOException ex) {
                        damage = ex;
                    }
                } else {
                    damage = new IOException("line is not terminated");
                }
                if (damage != null) {
                    if (!snapshot && onlyZerosFollow(in)) {
                        LOG.warnf("ignoring the torn last record of %s (line %d: %s): kubegate stopped while writing it; "
                                + "that change was never acknowledged", file, lineNo, damage.getMessage());
                        break;
                    }
                    throw new IOException("the state file " + file + " is damaged at line " + lineNo + " (" + damage.getMessage()
                            + "). kubegate will not start on damaged state: restore " + file.getParent()
                            + " from a backup, or move it away to start with empty state (sessions and approvals are lost)");
                }
                if (snapshot && lineNo == 1) {
                    if (!Entry.SNAPSHOT.equals(e.op())) {
                        throw new IOException("the state file " + file + " does not start with a snapshot header");
                    }
                    generation = e.generation();
                } else if (Entry.SNAPSHOT.equals(e.op()) || (snapshot && Entry.DELETE.equals(e.op()))) {
                    throw new IOException("the state file " + file + " has an unexpected '" + e.op() + "' record at line " + lineNo);
                } else {
                    apply.accept(e);
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (snapshot && generation < 0) {
            throw new IOException("the state file " + file + " is empty: it should at least hold a snapshot header");
        }
        return Math.max(generation, 0);
    }

    /** True when the rest of the stream is empty or NUL bytes (space a crash allocated but never wrote). */
    private static boolean onlyZerosFollow(InputStream in) throws IOException {
        int c;
        while ((c = in.read()) != -1) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }
}
