package dev.kubegate.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of {@code kubegate.audit.fsync}: {@code always}, {@code never} or {@code batch(<n>ms)}
 * ({@code batch} alone is 5 ms). A config type, converted once at start-up by {@link Converter}, so
 * a misspelt value stops start-up with the key's name and the accepted spellings. The audit core has
 * its own {@code FsyncPolicy} (it may not import {@code config}); the audit trail maps one onto the other.
 *
 * @param mode   when appended entries are forced to the disk
 * @param window how long a batch collects entries ({@link Duration#ZERO} unless {@link Mode#BATCH})
 */
public record AuditFsync(Mode mode, Duration window) {

    public enum Mode { ALWAYS, BATCH, NEVER }

    private static final Pattern BATCH = Pattern.compile("batch(?:\\((\\d{1,6})ms\\))?");

    /** Reads the setting: {@code @WithConverter(AuditFsync.Converter.class)}. */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<AuditFsync> {
        @Override
        public AuditFsync convert(String value) {
            return value.isBlank() ? null : of(value);
        }
    }

    public static AuditFsync of(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("always")) {
            return new AuditFsync(Mode.ALWAYS, Duration.ZERO);
        }
        if (v.equals("never")) {
            return new AuditFsync(Mode.NEVER, Duration.ZERO);
        }
        Matcher m = BATCH.matcher(v);
        if (m.matches()) {
            return new AuditFsync(Mode.BATCH, Duration.ofMillis(m.group(1) == null ? 5 : Long.parseLong(m.group(1))));
        }
        throw new IllegalArgumentException("kubegate.audit.fsync must be always, never or batch(<n>ms), not \"" + value + "\"");
    }

    @Override
    public String toString() {
        return mode == Mode.BATCH ? "batch(" + window.toMillis() + "ms)" : mode.name().toLowerCase(Locale.ROOT);
    }
}
