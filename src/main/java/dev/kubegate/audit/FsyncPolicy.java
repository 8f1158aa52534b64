package dev.kubegate.audit;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When the writer forces appended entries to the disk before it acknowledges them.
 * {@code always}: every write batch is fsynced before its entries are acknowledged (group commit:
 * all callers waiting at that moment share one fsync). {@code batch(5ms)}: the writer collects
 * entries for up to that long, then fsyncs once and acknowledges them all. {@code never}: entries
 * are acknowledged once written to the OS (the page cache); the OS flushes them later.
 */
public record FsyncPolicy(Mode mode, Duration window) {

    public enum Mode { ALWAYS, BATCH, NEVER }

    private static final Pattern BATCH = Pattern.compile("batch(?:\\((\\d+)ms\\))?");

    public static FsyncPolicy parse(String s) {
        String v = s.trim().toLowerCase();
        if (v.equals("always")) return new FsyncPolicy(Mode.ALWAYS, Duration.ZERO);
        if (v.equals("never")) return new FsyncPolicy(Mode.NEVER, Duration.ZERO);
        Matcher m = BATCH.matcher(v);
        if (m.matches()) {
            return new FsyncPolicy(Mode.BATCH, Duration.ofMillis(m.group(1) == null ? 5 : Long.parseLong(m.group(1))));
        }
        throw new IllegalArgumentException("kubegate.audit.fsync must be always, never or batch(<n>ms), not \"" + s + "\"");
    }

    @Override
    public String toString() {
        return mode == Mode.BATCH ? "batch(" + window.toMillis() + "ms)" : mode.name().toLowerCase();
    }
}
