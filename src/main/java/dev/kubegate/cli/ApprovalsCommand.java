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
 * {@code kubegate approvals list|show|approve|deny}: approvers' commands against a running gateway's
 * {@code /kubegate/v1/approvals} API, authenticated with an admin token or, with {@code --oidc}, a
 * token from the gateway's OIDC issuer ({@link OidcDeviceLogin}).
 */
@Command(name = "approvals", mixinStandardHelpOptions = true,
        description = "List, show, approve and deny calls waiting for approval.",
        subcommands = {ApprovalsCommand.ListCommand.class, ApprovalsCommand.ShowCommand.class, ApprovalsCommand.ApproveCommand.class,
                ApprovalsCommand.DenyCommand.class})
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

        @Option(names = "--oidc", description = "Sign in at the gateway's OIDC issuer instead of using an admin token "
                + "(device flow: open the printed address in a browser; the token is cached under ~/.kube/cache/kubegate).")
        boolean oidc;

        @Option(names = "--cache-dir", description = "Where --oidc caches tokens (default: ~/.kube/cache/kubegate).")
        Path cacheDir;

        @Inject
        KubegateConfig config;

        @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
        int sslPort;

        /** Calls the API; prints the Status message and answers null on an error. */
        JsonNode call(BiFunction<KubegateApi, String, Response> request) throws Exception {
            Path ca = caFile != null ? caFile : ServingCertificate.paths(config.dataDir()).caCert();
            byte[] pem = Files.isReadable(ca) ? Files.readAllBytes(ca) : null;
            String url = server != null ? server : "https://127.0.0.1:" + sslPort;
            GatewayClient client = new GatewayClient(url, pem);
            String bearer = token;
            if (oidc) {
                if (token != null || tokenFile != null) {
                    System.err.println("kubegate: give --oidc or an admin token, not both");
                    return null;
                }
                try {
                    bearer = new OidcDeviceLogin(System.err).token(client, url, cacheDir != null ? cacheDir : OidcDeviceLogin.defaultCacheDir());
                } catch (GatewayClient.Failure f) {
                    System.err.println("Error from server (" + f.reason + "): " + f.statusMessage);
                    return null;
                } catch (IllegalStateException e) {
                    System.err.println("kubegate: " + e.getMessage());
                    return null;
                }
            }
            if (bearer == null && tokenFile != null) {
                bearer = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            }
            if (bearer == null) {
                bearer = System.getenv("KUBEGATE_ADMIN_TOKEN");
            }
            if (bearer == null || bearer.isEmpty()) {
                System.err.println("kubegate: give --token-file, --token or KUBEGATE_ADMIN_TOKEN (an admin token), or --oidc");
                return null;
            }
            String auth = GatewayClient.bearer(bearer);
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

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a request: who asks, why, what the change means (summary) and the full diff. "
                    + "Seeing the full diff is what lets you approve a request whose page or chat message shows only part of it.")
    public static class ShowCommand implements Callable<Integer> {
        @Mixin
        Connection api;

        @Parameters(index = "0", description = "Approval id (ap-...).")
        String id;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() throws Exception {
            JsonNode r = api.call((client, auth) -> client.approval(auth, id));
            if (r == null) return 1;
            JsonNode diff = api.call((client, auth) -> client.approvalDiff(auth, id));
            if (diff == null) return 1;
            JsonNode both = OutputFormat.JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("request", r)
                    .set("diff", diff);
            output.format.print(System.out, both, () -> System.out.print(describe(r, diff)));
            return 0;
        }

        static String describe(JsonNode r, JsonNode diff) {
            StringBuilder b = new StringBuilder();
            JsonNode q = r.path("requester");
            long approvals = 0;
            for (JsonNode d : r.path("decisions")) if ("approve".equals(d.path("decision").asText())) approvals++;
            b.append("ID:         ").append(r.path("id").asText()).append('\n');
            b.append("Status:     ").append(r.path("status").asText()).append('\n');
            b.append("Requester:  ").append(q.path("principal").asText()).append(" (").append(q.path("kind").asText()).append(')')
                    .append(q.hasNonNull("sessionId") ? " session " + q.path("sessionId").asText() : "").append('\n');
            if (!q.path("justification").asText().isEmpty()) {
                b.append("Why:        ").append(q.path("justification").asText()).append('\n');
            }
            b.append("Request:    ").append(r.path("request").path("describe").asText()).append('\n');
            JsonNode call = r.path("call");
            b.append("Call:       ").append(call.path("method").asText()).append(' ').append(call.path("path").asText())
                    .append(call.path("query").asText().isEmpty() ? "" : "?" + call.path("query").asText()).append('\n');
            b.append("Approvers:  ").append(approvals).append(" of ").append(r.path("requiredApprovers").asInt(1)).append(" from ");
            java.util.List<String> groups = new java.util.ArrayList<>();
            r.path("approverGroups").forEach(g -> groups.add(g.asText()));
            b.append(String.join(" or ", groups)).append('\n');
            b.append("Reasons:\n");
            r.path("reasons").forEach(x -> b.append("  - ").append(x.asText()).append('\n'));
            if (!diff.path("summary").isEmpty()) {
                b.append("Summary (dangerous first):\n");
                for (JsonNode item : diff.path("summary")) {
                    java.util.List<String> flags = new java.util.ArrayList<>();
                    item.path("flags").forEach(f -> flags.add(f.asText()));
                    b.append(flags.isEmpty() ? "    " : "  ! ").append(item.path("text").asText())
                            .append(flags.isEmpty() ? "" : "   [" + String.join(", ", flags) + "]").append('\n');
                }
            }
            if (r.hasNonNull("changesNote")) {
                b.append("Note:       ").append(r.path("changesNote").asText()).append('\n');
            }
            b.append("Changes (").append(diff.path("total").asInt()).append(", all of them):\n");
            for (JsonNode c : diff.path("changes")) {
                b.append("  ").append(String.format("%-8s", c.path("op").asText())).append(c.path("path").asText().isEmpty() ? "(whole object)" : c.path("path").asText());
                if (c.hasNonNull("old")) b.append("\n      before: ").append(c.path("old").asText());
                if (c.hasNonNull("value")) b.append("\n      after:  ").append(c.path("value").asText());
                b.append('\n');
            }
            if (r.hasNonNull("url")) {
                b.append("Page:       ").append(r.path("url").asText()).append('\n');
            }
            if ("pending".equals(r.path("status").asText())) {
                b.append("Decide:     kubegate approvals approve ").append(r.path("id").asText())
                        .append("   |   kubegate approvals deny ").append(r.path("id").asText()).append(" --reason '...'\n");
            }
            return b.toString();
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
