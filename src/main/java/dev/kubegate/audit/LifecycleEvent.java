package dev.kubegate.audit;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to a session, an identity or an approval, outside any one API call:
 * fired as a synchronous CDI event by the feature that did it, and recorded by the audit trail.
 * An observer that cannot record it throws, so the action fails instead of going unrecorded.
 *
 * @param type      what happened, e.g. {@code session.login}, {@code session.revoked},
 *                  {@code session.expired}, {@code identity.suspended}, {@code identity.resumed},
 *                  {@code approval.requested}, {@code approval.approved}, {@code approval.denied},
 *                  {@code approval.used}, {@code approval.expired}, {@code playbook.action}
 * @param at        when
 * @param principal the principal name concerned (the agent), or null
 * @param sessionId the session concerned, or null
 * @param actor     who did it: the principal itself, an admin's name, or {@code kubegate}
 * @param details   anything else worth keeping (approval id, reason, ttl, labels), never secrets
 */
public record LifecycleEvent(String type, Instant at, String principal, String sessionId, String actor,
                             Map<String, String> details) {

    public LifecycleEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
