package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.audit.AuditQuery;
import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.Replay;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.trail.AuditTrail;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@code kubegate audit replay <session>}: a session's calls in order, as the equivalent kubectl
 * commands with the decision and the result.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Print a session's calls in order as kubectl commands, with decision and result.")
public class AuditReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<session>", description = "Session id (for static tokens: the token's name).")
    String session;

    @Option(names = "--dir", paramLabel = "DIR|s3://bucket/prefix", description = "Audit log to read (default: kubegate.audit.dir).")
    String dir;

    @Option(names = "--principal", description = "Match the principal name instead of the session id.")
    boolean byPrincipal;

    @Option(names = "--limit", defaultValue = "10000", description = "At most this many records (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--play", description = "Play exec/attach recordings in the terminal after their command (local directories).")
    boolean play;

    @Option(names = "--speed", defaultValue = "1", description = "Playback speed factor (default: ${DEFAULT-VALUE}; 0 = no pauses).")
    double speed;

    @Inject
    KubegateConfig config;

    @Override
    public Integer call() {
        try {
            LogSource source = dir != null ? Sources.open(dir, config.audit().s3()) : LogSource.directory(AuditTrail.auditDir(config));
            AuditQuery.Filter f = byPrincipal
                    ? new AuditQuery.Filter(null, session, null, null, null, null, null, null)
                    : new AuditQuery.Filter(session, null, null, null, null, null, null, null);
            AuditQuery.Result r = AuditQuery.search(source, f, limit);
            if (r.items().isEmpty()) {
                System.err.println("kubegate: no records for " + (byPrincipal ? "principal " : "session ") + session + " in " + source.describe());
                return 1;
            }
            java.nio.file.Path root = dir == null ? AuditTrail.auditDir(config) : dir.startsWith("s3://") ? null : java.nio.file.Path.of(dir);
            for (JsonNode n : r.items()) {
                System.out.println(Replay.line(n));
                JsonNode rec = n.path("recording");
                if (play && root != null && rec.has("path")) {
                    playRecording(root.resolve(rec.path("path").asText()), rec.path("sha256").asText());
                }
            }
            if (r.truncated()) {
                System.err.println("kubegate: only the first " + limit + " records are shown (--limit)");
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("kubegate: cannot read the audit log: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Plays an asciicast v2 file's output at {@link #speed}; checks it against the hash its record holds first. */
    private void playRecording(java.nio.file.Path cast, String sha256) throws IOException, InterruptedException {
        if (!java.nio.file.Files.exists(cast)) {
            System.err.println("kubegate: recording " + cast + " is missing");
            return;
        }
        byte[] all = java.nio.file.Files.readAllBytes(cast);
        String actual = dev.kubegate.audit.Canonical.sha256(all, 0, all.length);
        if (!actual.equals(sha256)) {
            System.err.println("kubegate: recording " + cast + " does not match the SHA-256 in its audit record: it was modified");
            return;
        }
        double last = 0;
        String[] lines = new String(all, java.nio.charset.StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            JsonNode ev = dev.kubegate.audit.Canonical.JSON.readTree(lines[i]);
            double t = ev.get(0).asDouble();
            if (speed > 0 && t > last) {
                Thread.sleep((long) Math.min(5_000, (t - last) * 1000 / speed));
            }
            last = t;
            if ("o".equals(ev.get(1).asText())) {
                System.out.print(ev.get(2).asText());
                System.out.flush();
            }
        }
        System.out.println();
    }
}
