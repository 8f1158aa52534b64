package dev.kubegate.admin;

import dev.kubegate.approval.slack.SlackInteractions;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /kubegate/v1/approvals/slack/interactions}: Slack's interactivity request URL. Not an
 * admin call: Slack signs it ({@link SlackInteractions} verifies); any content type is read as the
 * raw bytes the signature covers.
 */
@Path("/kubegate/v1/approvals/slack")
public class SlackInteractionsResource {

    @Inject
    SlackInteractions interactions;

    @POST
    @Path("/interactions")
    @SelfAuthenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> interaction(@HeaderParam("X-Slack-Request-Timestamp") String timestamp,
                                     @HeaderParam("X-Slack-Signature") String signature, byte[] body) {
        return interactions.handle(timestamp, signature, body)
                .map(a -> a.body() instanceof Status s ? StatusResponse.of(s)
                        : Response.status(a.code()).entity(a.body()).type(MediaType.APPLICATION_JSON).build());
    }
}
