package dev.kubegate.approval.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.Approver;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who signed in with OIDC lately, by verified email: each verification of a person's token writes
 * (in the shared store, so every replica knows) their name, groups and identities, kept for
 * {@code kubegate.approvers.oidc.directory-ttl}. Slack users mapped by {@code email:} are approvers
 * only through this: the groups are those of their last sign-in, never older than that TTL.
 */
@ApplicationScoped
public class PeopleDirectory {

    private static final Logger LOG = Logger.getLogger(PeopleDirectory.class);
    public static final String KIND = "approver-directory";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    StateStore store;

    @Inject
    KubegateConfig config;

    Clock clock = Clock.systemUTC();

    /** Notes {@code person} under {@code email} (best effort: a failure is logged, the sign-in still counts). */
    public void remember(String email, Approver person) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", person.name());
        person.groups().forEach(n.withArray("groups")::add);
        person.identities().forEach(n.withArray("identities")::add);
        n.put("seenAt", clock.instant().toString());
        String json = n.toString();
        Instant until = clock.instant().plus(config.approvers().oidc().directoryTtl());
        String id = email.toLowerCase(Locale.ROOT);
        store.get(KIND, id)
                .flatMap(d -> d.isPresent() ? store.update(KIND, id, d.get().version(), json, until) : store.create(KIND, id, json, until))
                .onFailure(StoreConflictException.class).recoverWithNull() // another replica wrote the same sign-in
                .subscribe().with(x -> { }, e -> LOG.warnf("cannot note the OIDC sign-in of %s: %s", id, e.toString()));
    }

    /** The person who last signed in with {@code email}, within the TTL; {@code realm} names how they were found. */
    public Uni<Optional<Approver>> byEmail(String email, String realm) {
        return store.get(KIND, email.toLowerCase(Locale.ROOT)).map(d -> d.map(doc -> {
            try {
                JsonNode n = JSON.readTree(doc.json());
                List<String> groups = new ArrayList<>();
                n.path("groups").forEach(g -> groups.add(g.asText()));
                List<String> ids = new ArrayList<>();
                n.path("identities").forEach(i -> ids.add(i.asText()));
                return new Approver(n.path("name").asText(), groups, realm, ids);
            } catch (Exception e) {
                throw new IllegalStateException("unreadable directory entry for " + email, e);
            }
        }));
    }
}
