package dev.kubegate.audit;

import java.time.Duration;

/**
 * When the writer forces appended entries to the disk before it acknowledges them.
 * {@code always}: every write batch is fsynced before its entries are acknowledged (group commit:
 * all callers waiting at that moment share one fsync). {@code batch(5ms)}: the writer collects
 * entries for up to that long, then fsyncs once and acknowledges them all. {@code never}: entries
 * are acknowledged once written to the OS (the page cache); the OS flushes them later. The setting
 * {@code kubegate.audit.fsync} is read as {@code config.AuditFsync} and mapped onto this value by the
 * audit trail (this pure core does not read configuration).
 */
public record FsyncPolicy(Mode mode, Duration window) {

    public enum Mode { ALWAYS, BATCH, NEVER }

    public static final FsyncPolicy ALWAYS = new FsyncPolicy(Mode.ALWAYS, Duration.ZERO);
    public static final FsyncPolicy NEVER = new FsyncPolicy(Mode.NEVER, Duration.ZERO);

    /** Collect entries for up to {@code window}, then fsync once for all of them. */
    public static FsyncPolicy batch(Duration window) {
        return new FsyncPolicy(Mode.BATCH, window);
    }

    @Override
    public String toString() {
        return mode == Mode.BATCH ? "batch(" + window.toMillis() + "ms)" : mode.name().toLowerCase();
    }
}
