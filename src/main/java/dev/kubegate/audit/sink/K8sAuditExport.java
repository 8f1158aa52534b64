package dev.kubegate.audit.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The SIEM export sink: appends Kubernetes audit events ({@link K8sAuditEvent}), one JSON line each,
 * to a file that a log shipper (Fluent Bit, Vector, the Falco k8saudit plugin's file source) tails.
 * Writes happen on its own thread, never an event loop; at most {@link #QUEUE} events wait, beyond
 * that events are dropped and counted ({@link #dropped()}): the export is a copy for detection, the
 * signed audit log stays the record of truth and is never held back by it. Rotate the file with
 * {@code copytruncate} (it is opened once, in append mode).
 */
public final class K8sAuditExport implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(K8sAuditExport.class.getName());
    static final int QUEUE = 10_000;

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private final BufferedWriter out;
    private final ThreadPoolExecutor executor;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile String lastError;

    public K8sAuditExport(Path file) throws IOException {
        this.file = file;
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "kubegate-audit-export");
            t.setDaemon(true);
            return t;
        }, (task, pool) -> dropped.incrementAndGet());
    }

    public Path file() {
        return file;
    }

    /** Queues one event; never blocks. */
    public void write(ObjectNode event) {
        executor.execute(() -> {
            try {
                out.write(json.writeValueAsString(event));
                out.write('\n');
                out.flush();
                written.incrementAndGet();
                lastError = null;
            } catch (IOException e) {
                dropped.incrementAndGet();
                if (lastError == null) {
                    LOG.warning("audit export: cannot write " + file + ": " + e.getMessage());
                }
                lastError = e.getMessage();
            }
        });
    }

    /** Events written so far. */
    public long written() {
        return written.get();
    }

    /** Events lost: the queue was full or the file could not be written. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warning("audit export: closing " + file + ": " + e.getMessage());
        }
    }
}
