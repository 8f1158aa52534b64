package dev.kubegate.approval.slack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlackUsersTest {

    @Test
    void mapsUserIdsToApproverNamesOrEmails() {
        SlackUsers u = SlackUsers.parse("# who is who\nU024BE7LH,bob\n\n W0ABCDEF , email:Carol@Example.com \n", "users.csv");
        assertThat(u.size()).isEqualTo(2);
        assertThat(u.person("U024BE7LH")).contains(SlackUsers.Person.named("bob"));
        assertThat(u.person("W0ABCDEF")).contains(SlackUsers.Person.withEmail("carol@example.com"));
        assertThat(u.person("U999")).isEmpty();
        assertThat(u.person(null)).isEmpty();
    }

    @Test
    void refusesRowsItCannotReadWithTheirLine() {
        assertThatThrownBy(() -> SlackUsers.parse("U024BE7LH\n", "f")).hasMessageContaining("f:1");
        assertThatThrownBy(() -> SlackUsers.parse("bob,U024BE7LH\n", "f")).hasMessageContaining("not a Slack user id");
        assertThatThrownBy(() -> SlackUsers.parse("U024BE7LH,email:nobody\n", "f")).hasMessageContaining("not an email");
        assertThatThrownBy(() -> SlackUsers.parse("U024BE7LH,bob\nU024BE7LH,carol\n", "f")).hasMessageContaining("f:2").hasMessageContaining("twice");
        assertThatThrownBy(() -> SlackUsers.parse("U024BE7LH,\n", "f")).hasMessageContaining("empty");
    }
}
