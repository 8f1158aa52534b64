package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.config.KubegateConfig;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kubegate sessions list|revoke <id>}: the admin side of sessions. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "List or revoke agents' sessions (admin API).",
        subcommands = {SessionsCommand.List.class, SessionsCommand.Revoke.class})
public class SessionsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List active sessions with their counters.")
    static class List implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Mixin
        OutputOption output;

        @Inject
        KubegateConfig config;

        @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
        int sslPort;

        @Override
        public Integer call() {
            try {
                GatewayClient client = admin.client(config, sslPort);
                String auth = GatewayClient.bearer(admin.token(client));
                JsonNode list = client.call(api -> api.sessions(auth));
                output.format.print(System.out, list, () -> table(list));
                return 0;
            } catch (Exception e) {
                System.err.println("kubegate sessions list: " + e.getMessage());
                return 1;
            }
        }

        private static void table(JsonNode list) {
                System.out.printf("%-34s %-20s %-10s %-21s %8s %9s %7s  %s%n", "ID", "PRINCIPAL", "KIND", "EXPIRES", "REQUESTS",
                        "MUTATIONS", "DENIED", "LABELS");
                for (JsonNode s : list.path("items")) {
                    StringBuilder labels = new StringBuilder();
                    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("labels").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> l = it.next();
                        if (labels.length() > 0) labels.append(',');
                        labels.append(l.getKey()).append('=').append(l.getValue().asText());
                    }
                    JsonNode c = s.path("counters");
                    System.out.printf("%-34s %-20s %-10s %-21s %8d %9d %7d  %s%n", s.path("id").asText(),
                            s.path("principal").path("name").asText(), s.path("principal").path("kind").asText(),
                            s.path("expiresAt").asText(), c.path("requests").asLong(), c.path("mutations").asLong(),
                            c.path("denied").asLong(), labels);
                }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a session: its token is refused on every replica.")
    static class Revoke implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "<id>", description = "Session id (kubegate sessions list).")
        String id;

        @Inject
        KubegateConfig config;

        @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
        int sslPort;

        @Override
        public Integer call() {
            try {
                GatewayClient client = admin.client(config, sslPort);
                String auth = GatewayClient.bearer(admin.token(client));
                JsonNode s = client.call(api -> api.revokeSession(auth, id));
                System.out.println("session " + s.path("id").asText() + " of " + s.path("principal").path("name").asText()
                        + " revoked at " + s.path("revokedAt").asText());
                return 0;
            } catch (Exception e) {
                System.err.println("kubegate sessions revoke: " + e.getMessage());
                return 1;
            }
        }
    }
}
