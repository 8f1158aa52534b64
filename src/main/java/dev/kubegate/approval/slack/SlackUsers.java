package dev.kubegate.approval.slack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a Slack user is to kubegate: the operator's mapping file ({@code kubegate.approval.slack.users-file}),
 * one row per person, {@code <Slack user id>,<person>}, where the person is either an approver name
 * of the admin token file ({@code alice}) or {@code email:<address>}, matched against the
 * {@code email} claim of people who signed in with OIDC. Blank lines and {@code #} comments are
 * skipped. Slack's payload names the user only by id, never by a verified email, so the mapping is
 * the operator's statement of who is who; a user not in it cannot approve.
 */
public final class SlackUsers {

    /** Slack user ids: U or W followed by upper-case letters and digits. */
    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{2,30}");

    /** The person a Slack user stands for: {@code email} is set for an {@code email:} row, else {@code name}. */
    public record Person(String name, String email) {
        public static Person named(String name) {
            return new Person(name, null);
        }

        public static Person withEmail(String email) {
            return new Person(null, email.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return email != null ? "email:" + email : name;
        }
    }

    private final Map<String, Person> byUser;

    private SlackUsers(Map<String, Person> byUser) {
        this.byUser = Map.copyOf(byUser);
    }

    public static SlackUsers load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    public static SlackUsers parse(String content, String source) {
        Map<String, Person> rows = new HashMap<>();
        String[] lines = content.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split(",", -1);
            String where = source + ":" + (i + 1) + ": ";
            if (cols.length != 2) {
                throw new IllegalArgumentException(where + "expected <Slack user id>,<approver name or email:address>");
            }
            String user = cols[0].strip();
            String who = cols[1].strip();
            if (!USER_ID.matcher(user).matches()) {
                throw new IllegalArgumentException(where + "\"" + user + "\" is not a Slack user id (like U024BE7LH)");
            }
            Person p;
            if (who.startsWith("email:")) {
                String email = who.substring("email:".length()).strip();
                if (!email.matches("[^@\\s]+@[^@\\s]+")) {
                    throw new IllegalArgumentException(where + "\"" + email + "\" is not an email address");
                }
                p = Person.withEmail(email);
            } else {
                if (who.isEmpty()) {
                    throw new IllegalArgumentException(where + "the approver name is empty");
                }
                p = Person.named(who);
            }
            if (rows.put(user, p) != null) {
                throw new IllegalArgumentException(where + "Slack user " + user + " is mapped twice");
            }
        }
        return new SlackUsers(rows);
    }

    public Optional<Person> person(String slackUserId) {
        return Optional.ofNullable(slackUserId).map(byUser::get);
    }

    public int size() {
        return byUser.size();
    }
}
