package dev.kubegate.identity.session;

import java.time.Instant;

/**
 * A suspended identity (kind {@value #KIND}, id = principal name): its sessions are refused and it
 * gets no new ones until resumed (the document is deleted).
 */
public record Suspension(String name, Instant suspendedAt, String suspendedBy, String reason) {

    public static final String KIND = "identity-suspension";
}
