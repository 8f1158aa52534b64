package dev.kubegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.hatches.AgentSubject;
import dev.kubegate.hatches.ConfiguredAgents;
import dev.kubegate.hatches.HatchReport;
import dev.kubegate.hatches.RbacChecker;
import dev.kubegate.upstream.UpstreamClient;
import dev.kubegate.upstream.credentials.UpstreamCredentialsFactory;
import dev.kubegate.upstream.credentials.UpstreamSource;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubegate rbac-check}: which RBAC rights of the agents kubegate serves would let them get
 * around it or escalate. Runs once with kubegate's own upstream credentials and configuration (the
 * same {@code kubegate.*} settings as the gateway). Exit code 0 when no escape hatch is found, 1 when
 * one is, 2 when the check could not be completed (and found none).
 */
@Command(name = "rbac-check", mixinStandardHelpOptions = true,
        description = "Report RBAC rights that let agents get around kubegate or escalate (exit 1 when any is found).")
public class RbacCheckCommand implements Callable<Integer> {

    @Option(names = "--principal", paramLabel = "NAME", description = "Check this principal only (as named in the mapping or token file).")
    String principal;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.table;

    @Inject
    KubegateConfig config;

    @Inject
    Vertx vertx;

    @Override
    public Integer call() throws Exception {
        List<AgentSubject> subjects;
        UpstreamClient upstream;
        try {
            subjects = ConfiguredAgents.load(config);
            if (principal != null) {
                subjects = subjects.stream().filter(s -> s.name().equals(principal)).toList();
                if (subjects.isEmpty()) {
                    System.err.println("kubegate: no agent identity named '" + principal + "' in the mapping or token file");
                    return 2;
                }
            }
            upstream = new UpstreamClient(vertx, UpstreamCredentialsFactory.create(UpstreamSource.from(config.upstream()), System.getenv()),
                    UpstreamClient.Connections.from(config.upstream()));
        } catch (RuntimeException e) {
            System.err.println("kubegate: cannot check: " + e.getMessage());
            return 2;
        }
        try {
            HatchReport report = new RbacChecker(upstream, Clock.systemUTC()).check(subjects)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
            if (output != OutputFormat.table) {
                output.print(System.out, report.toJson(), () -> { });
            } else {
                System.out.print(report.toText());
            }
            if (!report.hatches().isEmpty()) {
                return 1;
            }
            return report.errors().isEmpty() ? 0 : 2;
        } finally {
            upstream.close();
        }
    }
}
