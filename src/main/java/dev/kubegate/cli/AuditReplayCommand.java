package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.audit.AuditQuery;
import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.Replay;
import dev.kubegate.audit.trail.AuditTrail;
import dev.kubegate.config.KubegateConfig;
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
            for (JsonNode n : r.items()) {
                System.out.println(Replay.line(n));
            }
            if (r.truncated()) {
                System.err.println("kubegate: only the first " + limit + " records are shown (--limit)");
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("kubegate: cannot read the audit log: " + e.getMessage());
            return 2;
        }
    }
}
