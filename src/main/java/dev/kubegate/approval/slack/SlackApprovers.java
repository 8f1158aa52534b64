package dev.kubegate.approval.slack;

import dev.kubegate.approval.AdminTokenApprovers;
import dev.kubegate.approval.Approver;
import dev.kubegate.approval.oidc.OidcApprovers;
import dev.kubegate.approval.oidc.PeopleDirectory;
import dev.kubegate.identity.AdminTokens;
import dev.kubegate.identity.TokenFile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The approver a mapped Slack user is, as the realm that knows the person vouches: an approver name
 * is looked up in the admin token file (its groups are that row's); an {@code email:} row in the
 * {@link PeopleDirectory} of recent OIDC sign-ins (that person's name, groups and verified
 * identities as of their last sign-in). The approver keeps its name and identities, so
 * the self-approval check and the two-person rule see the same person whichever way they decide.
 */
@ApplicationScoped
public class SlackApprovers {

    @Inject
    AdminTokens adminTokens;

    @Inject
    PeopleDirectory directory;

    public Uni<Optional<Approver>> approver(SlackUsers.Person person, String slackUser) {
        if (person.email() != null) {
            return directory.byEmail(person.email(), "slack:" + slackUser + "/" + OidcApprovers.REALM);
        }
        return Uni.createFrom().item(byName(person.name(), slackUser));
    }

    private Optional<Approver> byName(String name, String slackUser) {
        TokenFile t = adminTokens.tokens().orElse(null);
        if (t == null) {
            return Optional.empty();
        }
        List<TokenFile.Entry> rows = t.entries().stream().filter(e -> e.name().equals(name)).toList();
        // Several rows of one name must agree on the groups: otherwise which rights the click carries is a guess.
        if (rows.isEmpty() || rows.stream().map(e -> Set.copyOf(e.groups())).distinct().count() > 1) {
            return Optional.empty();
        }
        Approver a = AdminTokenApprovers.approver(rows.get(0));
        return Optional.of(new Approver(a.name(), a.groups(), "slack:" + slackUser + "/" + a.realm()));
    }
}
