package dev.kubegate.audit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PlaybookRulesTest {

    final PlaybookRules rules = new PlaybookRules(new PlaybookRules.Settings(Duration.ofMinutes(5), 3, 2, Set.of("kube-system")));
    final Instant t0 = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void repeatedDenialsFireOncePerWindow() {
        assertThat(rules.observe("s1", t0, "get", "a", "deny")).isEmpty();
        assertThat(rules.observe("s1", t0.plusSeconds(1), "get", "a", "deny")).isEmpty();
        List<PlaybookRules.Trigger> fired = rules.observe("s1", t0.plusSeconds(2), "get", "a", "deny");
        assertThat(fired).extracting(PlaybookRules.Trigger::rule).containsExactly("repeated-denials");
        assertThat(rules.observe("s1", t0.plusSeconds(3), "get", "a", "deny")).isEmpty();
        assertThat(rules.observe("s2", t0.plusSeconds(3), "get", "a", "deny")).isEmpty(); // another identity
        // Denials spread wider than the window do not add up.
        PlaybookRules slow = new PlaybookRules(new PlaybookRules.Settings(Duration.ofMinutes(1), 3, 0, Set.of()));
        for (int i = 0; i < 10; i++) {
            assertThat(slow.observe("s", t0.plusSeconds(40L * i), "get", "a", "deny")).isEmpty();
        }
    }

    @Test
    void deleteBurstsAndProtectedNamespacesFire() {
        assertThat(rules.observe("s1", t0, "delete", "a", "allow")).isEmpty();
        assertThat(rules.observe("s1", t0.plusSeconds(1), "deletecollection", "a", "allow"))
                .extracting(PlaybookRules.Trigger::rule).containsExactly("delete-burst");
        assertThat(rules.observe("s1", t0.plusSeconds(2), "get", "kube-system", "deny"))
                .extracting(PlaybookRules.Trigger::rule).containsExactly("protected-namespace");
    }

    @Test
    void evictionsCountAsDeletes() {
        PlaybookRules rules = new PlaybookRules(new PlaybookRules.Settings(java.time.Duration.ofMinutes(1), 0, 2, java.util.Set.of()));
        Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
        assertThat(rules.observe("s1", t0, "create", true, "a", "allow")).isEmpty();
        assertThat(rules.observe("s1", t0.plusSeconds(1), "create", false, "a", "allow")).isEmpty(); // a plain create
        assertThat(rules.observe("s1", t0.plusSeconds(2), "create", true, "a", "allow"))
                .extracting(PlaybookRules.Trigger::rule).containsExactly("delete-burst");
    }
}
