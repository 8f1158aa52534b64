package dev.kubegate.identity.session;

import dev.kubegate.testing.MutableClock;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.RequestInfoParser;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCountersTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T08:00:00Z"));
    final FlakyStore store = new FlakyStore(clock);
    final Principal p = new Principal("uid", "ci", "static", List.of(),
            Optional.of(new Principal.Session("s1", Map.of(), clock.instant().plus(Duration.ofMinutes(15)))));

    @Test
    void callsCountAtOnceLocallyAndReachTheStoreOnFlush() {
        SessionCounters a = new SessionCounters(store, clock);
        a.record(p, "get", false);
        a.record(p, "delete", false);
        a.record(p, "create", true);
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(3, 2, 1, 1));
        assertThat(store.counters("session:s1").await().indefinitely()).isEmpty(); // no store write per call
        a.flush().await().indefinitely();
        assertThat(store.counters("session:s1").await().indefinitely())
                .isEqualTo(Map.of("requests", 3L, "mutations", 2L, "deletes", 1L, "denied", 1L));
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(3, 2, 1, 1));
        a.flush().await().indefinitely(); // nothing new: nothing added twice
        assertThat(store.counters("session:s1").await().indefinitely()).containsEntry("requests", 3L);
    }

    @Test
    void anEvictionCountsAsADeleteAndAMutation() {
        SessionCounters a = new SessionCounters(store, clock);
        a.record(p, RequestInfoParser.parse("POST", "/api/v1/namespaces/work/pods/plain/eviction", "", false), false);
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(1, 1, 1, 0));
        a.record(p, RequestInfoParser.parse("DELETE", "/api/v1/namespaces/work/pods/plain", "", false), false);
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(2, 2, 2, 0));
        // Other creates on pods' subresources, and a pod named "eviction", are no deletes.
        a.record(p, RequestInfoParser.parse("POST", "/api/v1/namespaces/work/pods/plain/exec", "command=ls", false), false);
        a.record(p, RequestInfoParser.parse("POST", "/api/v1/namespaces/work/pods", "", false), false);
        a.record(p, RequestInfoParser.parse("PATCH", "/api/v1/namespaces/work/pods/eviction", "", false), false);
        a.record(p, RequestInfoParser.parse("GET", "/api/v1/namespaces/work/pods/eviction", "", false), false);
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(6, 5, 2, 0));
    }

    @Test
    void replicasSeeEachOthersCallsAfterAFlush() {
        SessionCounters a = new SessionCounters(store, clock);
        SessionCounters b = new SessionCounters(store, clock);
        a.record(p, "delete", false);
        a.flush().await().indefinitely();
        b.record(p, "delete", false); // B's first call of the session loads the totals
        assertThat(b.snapshot(p).deletes()).isEqualTo(2);
        b.flush().await().indefinitely();
        a.record(p, "get", false);
        a.flush().await().indefinitely();
        assertThat(a.snapshot(p)).isEqualTo(new SessionCounters.Snapshot(3, 2, 2, 0));
    }

    @Test
    void deltasSurviveAFailedFlush() {
        SessionCounters a = new SessionCounters(store, clock);
        a.record(p, "patch", false);
        store.down = true;
        a.flush().await().indefinitely();
        assertThat(a.snapshot(p).mutations()).isEqualTo(1);
        store.down = false;
        a.record(p, "patch", false);
        a.flush().await().indefinitely();
        assertThat(store.counters("session:s1").await().indefinitely()).containsEntry("mutations", 2L).containsEntry("requests", 2L);
    }

    @Test
    void expiredSessionsAreForgottenAfterTheirLastFlush() {
        SessionCounters a = new SessionCounters(store, clock);
        a.record(p, "get", false);
        a.flush().await().indefinitely();
        clock.advance(Duration.ofMinutes(16));
        a.flush().await().indefinitely();
        assertThat(a.size()).isZero();
    }
}
