package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.tls.ServingCertificate;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * {@code kubegate approvals list|approve|deny}: approvers' commands against a running gateway's
 * {@code /kubegate/v1/approvals} API, authenticated with an admin token.
 */
@Command(name = "approvals", mixinStandardHelpOptions = true,
        description = "List, approve and deny calls waiting for approval.",
        subcommands = {ApprovalsCommand.ListCommand.class, ApprovalsCommand.ApproveCommand.class, ApprovalsCommand.DenyCommand.class})
public class ApprovalsCommand {

    /** Where the API is and who is calling. */
    @jakarta.enterprise.context.Dependent
    @io.quarkus.arc.Unremovable
    public static class Connection {
        @Option(names = "--server", description = "Gateway URL (default: https://127.0.0.1:<https port>).")
        String server;

        @Option(names = "--token", description = "Admin (approver) token. Prefer --token-file: arguments are visible to other users.")
        String token;

        @Option(names = "--token-file", description = "File holding the admin (approver) token.")
        Path tokenFile;

        @Option(names = "--ca-file", description = "CA that signed the gateway's certificate (default: the generated one under the data dir).")
        Path caFile;

        @Inject
        KubegateConfig config;

        @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
        int sslPort;

        /** Calls the API; prints the Status message and answers null on an error. */
        JsonNode call(BiFunction<KubegateApi, String, Response> request) throws Exception {
            String bearer = token;
            if (bearer == null && tokenFile != null) {
                bearer = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            }
            if (bearer == null) {
                bearer = System.getenv("KUBEGATE_ADMIN_TOKEN");
            }
            if (bearer == null || bearer.isEmpty()) {
                System.err.println("kubegate: give --token-file, --token or KUBEGATE_ADMIN_TOKEN (an admin token)");
                return null;
            }
            String auth = GatewayClient.bearer(bearer);
            Path ca = caFile != null ? caFile : ServingCertificate.paths(config.dataDir()).caCert();
            byte[] pem = Files.isReadable(ca) ? Files.readAllBytes(ca) : null;
            GatewayClient client = new GatewayClient(server != null ? server : "https://127.0.0.1:" + sslPort, pem);
            try {
                return client.call(api -> request.apply(api, auth));
            } catch (GatewayClient.Failure f) {
                System.err.println(f.code == 0 ? "kubegate: " + f.getMessage()
                        : "Error from server (" + f.reason + "): " + f.statusMessage);
                return null;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List approval requests (pending ones by default).")
    public static class ListCommand implements Callable<Integer> {
        @Mixin
        Connection api;

        @Option(names = "--status", defaultValue = "pending",
                description = "pending, approved, denied, expired, used, or all (default: ${DEFAULT-VALUE}).")
        String status;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() throws Exception {
            String only = "all".equals(status) ? null : status;
            JsonNode list = api.call((client, auth) -> client.approvals(auth, only));
            if (list == null) return 1;
            output.format.print(System.out, list, () -> table(list));
            return 0;
        }

        private static void table(JsonNode list) {
            String fmt = "%-14s %-9s %-6s %-20s %-9s %s%n";
            System.out.printf(fmt, "ID", "STATUS", "AGE", "REQUESTER", "APPROVALS", "REQUEST");
            for (JsonNode r : list.path("items")) {
                Duration age = Duration.between(Instant.parse(r.path("createdAt").asText()), Instant.now());
                long approvals = 0;
                for (JsonNode d : r.path("decisions")) if ("approve".equals(d.path("decision").asText())) approvals++;
                System.out.printf(fmt, r.path("id").asText(), r.path("status").asText(), age(age),
                        r.path("requester").path("principal").asText(), approvals + "/" + r.path("requiredApprovers").asInt(1),
                        r.path("request").path("describe").asText());
            }
        }

        private static String age(Duration d) {
            long s = Math.max(0, d.toSeconds());
            return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a request.")
    public static class ApproveCommand implements Callable<Integer> {
        @Mixin
        Connection api;

        @Parameters(index = "0", description = "Approval id (ap-...).")
        String id;

        @Option(names = "--reason", description = "Why (kept in the audit trail).")
        String reason;

        @Override
        public Integer call() throws Exception {
            return decide(api, id, "approve", reason);
        }
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, description = "Deny a request; the agent is told the reason.")
    public static class DenyCommand implements Callable<Integer> {
        @Mixin
        Connection api;

        @Parameters(index = "0", description = "Approval id (ap-...).")
        String id;

        @Option(names = "--reason", required = true, description = "Why: the agent reads it.")
        String reason;

        @Override
        public Integer call() throws Exception {
            return decide(api, id, "deny", reason);
        }
    }

    static int decide(Connection api, String id, String action, String reason) throws Exception {
        JsonNode body = GatewayClient.JSON.valueToTree(reason == null ? Map.of() : Map.of("reason", reason));
        JsonNode r = api.call((client, auth) -> client.decide(auth, id, action, body));
        if (r == null) return 1;
        System.out.println(id + " " + r.path("status").asText() + " (" + r.path("request").path("describe").asText() + ")");
        return 0;
    }
}
