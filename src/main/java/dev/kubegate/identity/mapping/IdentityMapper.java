package dev.kubegate.identity.mapping;

import dev.kubegate.k8s.Status;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.Principal;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns verified identities into principals with the current {@link IdentityMappings}: an identity
 * no rule matches is refused (401) with a message naming it, so an operator sees what to map.
 *
 * <p>The file is read at start (a broken file fails start-up) and re-read on a worker thread when its
 * modification time or size changes; a change that does not parse keeps the previous mappings and is
 * logged. {@link #toPrincipal} reads a volatile reference only: it never blocks.
 */
public final class IdentityMapper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IdentityMapper.class);

    private final Optional<Path> file;
    private volatile IdentityMappings mappings;
    private volatile FileStamp stamp;
    private Vertx vertx;
    private long timer = -1;

    private record FileStamp(FileTime modified, long size) {
    }

    private IdentityMapper(Optional<Path> file, IdentityMappings mappings, FileStamp stamp) {
        this.file = file;
        this.mappings = mappings;
        this.stamp = stamp;
    }

    /** A mapper over fixed mappings (tests, or no file configured). */
    public static IdentityMapper of(IdentityMappings mappings) {
        return new IdentityMapper(Optional.empty(), mappings, null);
    }

    /** Loads {@code file} now (blocking: call at start-up); fails when it is missing or broken. */
    public static IdentityMapper load(Path file) {
        try {
            FileStamp stamp = stamp(file);
            return new IdentityMapper(Optional.of(file), read(file), stamp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubegate.identity.mappings " + file, e);
        }
    }

    /** Checks the file for changes every {@code interval}, reading it on a worker thread. */
    public void watch(Vertx vertx, Duration interval) {
        if (file.isEmpty()) {
            return;
        }
        this.vertx = vertx;
        timer = vertx.setPeriodic(Math.max(100, interval.toMillis()), id ->
                vertx.executeBlocking(() -> {
                    reloadIfChanged();
                    return null;
                }, false));
    }

    /** Re-reads the file if it changed; returns whether new mappings are in force. Blocking. */
    public boolean reloadIfChanged() {
        Path f = file.orElseThrow();
        try {
            FileStamp now = stamp(f);
            if (now.equals(stamp)) {
                return false;
            }
            IdentityMappings fresh = read(f);
            mappings = fresh;
            stamp = now;
            LOG.infof("identity mappings reloaded from %s (%d rules)", f, fresh.rules().size());
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf("identity mappings in %s not reloaded, the previous ones stay in force: %s", f, e.getMessage());
            try {
                stamp = stamp(f); // do not log the same broken version every interval
            } catch (IOException ignored) {
                // missing file: reported again next time
            }
            return false;
        }
    }

    private static FileStamp stamp(Path f) throws IOException {
        return new FileStamp(Files.getLastModifiedTime(f), Files.size(f));
    }

    private static IdentityMappings read(Path f) throws IOException {
        if (Files.size(f) > 1024 * 1024) {
            throw new IllegalArgumentException(f + ": the mapping file is over 1 MiB");
        }
        return IdentityMappings.parse(Files.readString(f, StandardCharsets.UTF_8), f.toString());
    }

    public IdentityMappings mappings() {
        return mappings;
    }

    /** The principal for a verified identity, or {@link AuthenticationException} (401) when unmapped. */
    public Principal toPrincipal(ExternalIdentity identity) {
        Optional<IdentityMappings.Mapped> mapped;
        try {
            mapped = mappings.map(identity);
        } catch (IllegalArgumentException e) {
            throw AuthenticationException.invalid(identity.kind() + " identity " + identity.id() + ": " + Status.describe(e));
        }
        IdentityMappings.Mapped m = mapped.orElseThrow(() -> AuthenticationException.invalid(
                "the " + identity.kind() + " identity " + identity.id()
                        + " is not mapped to a kubegate principal (add it to kubegate.identity.mappings)"));
        return new Principal(identity.id(), m.name(), identity.kind(), m.groups(), Optional.empty());
    }

    @Override
    public void close() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
