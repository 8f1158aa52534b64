package dev.kubegate.identity.mapping;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.ReservedGroups;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed mapping file: an ordered list of rules, like EKS access entries, the first match wins.
 * <pre>
 * mappings:
 * - identity: arn:aws:iam::111122223333:role/ci-agent      # exact, or a glob: * any characters, ? one
 *   kind: aws-iam                                          # optional: aws-iam | serviceaccount | oidc
 *   name: "ci-{{SessionName}}"                             # principal name; {{Attribute}} templates
 *   groups: [agents]
 *   identityGroups: false                                  # also keep the groups the provider asserted
 * </pre>
 * Groups in the {@code system:} namespace are refused in the file and dropped from what a provider
 * asserts ({@link ReservedGroups}).
 * Templates take the identity's attributes: aws-iam {@code AccountID, SessionName, AccessKeyID, UserID,
 * ARN}, serviceaccount {@code Namespace, ServiceAccount, UID}, oidc {@code Issuer, Subject, Username}.
 * Pure: no I/O beyond parsing the text it is given.
 */
public final class IdentityMappings {

    static final Set<String> KINDS = Set.of(ExternalIdentity.AWS_IAM, ExternalIdentity.SERVICE_ACCOUNT, ExternalIdentity.OIDC);
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    /** What a principal name may be: it becomes an HTTP header value and a Kubernetes user name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@:+=,/#-]{1,256}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One rule. */
    public record Rule(String identity, Optional<String> kind, String name, List<String> groups, boolean identityGroups,
                       Pattern pattern) {

        boolean matches(ExternalIdentity id) {
            return kind.map(k -> k.equals(id.kind())).orElse(true) && pattern.matcher(id.id()).matches();
        }
    }

    /** A mapped identity: the principal's name and groups. */
    public record Mapped(String name, List<String> groups) {
    }

    private record FileRule(@JsonProperty("identity") String identity, @JsonProperty("kind") String kind,
                            @JsonProperty("name") String name, @JsonProperty("groups") List<String> groups,
                            @JsonProperty("identityGroups") Boolean identityGroups) {
        @JsonCreator
        FileRule {
        }
    }

    private record FileContent(@JsonProperty("mappings") List<FileRule> mappings) {
        @JsonCreator
        FileContent {
        }
    }

    private final List<Rule> rules;

    private IdentityMappings(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static IdentityMappings empty() {
        return new IdentityMappings(List.of());
    }

    /** Parses the file's text; {@code source} names it in error messages. */
    public static IdentityMappings parse(String yaml, String source) {
        FileContent content;
        try {
            content = yaml.isBlank() ? new FileContent(List.of()) : YAML.readValue(yaml, FileContent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not a valid mapping file: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a valid mapping file: " + e.getMessage());
        }
        List<Rule> rules = new ArrayList<>();
        List<FileRule> entries = content == null || content.mappings() == null ? List.of() : content.mappings();
        for (int i = 0; i < entries.size(); i++) {
            FileRule r = entries.get(i);
            String where = source + ": mappings[" + i + "]";
            if (r == null || r.identity() == null || r.identity().isBlank()) {
                throw new IllegalArgumentException(where + ": 'identity' (an ARN, service account or OIDC subject, or a glob) is required");
            }
            if (r.name() == null || r.name().isBlank()) {
                throw new IllegalArgumentException(where + ": 'name' (the principal name) is required");
            }
            if (r.kind() != null && !KINDS.contains(r.kind())) {
                throw new IllegalArgumentException(where + ": 'kind' must be one of " + KINDS + ", not '" + r.kind() + "'");
            }
            String literal = TEMPLATE.matcher(r.name()).replaceAll("x");
            if (!NAME.matcher(literal).matches()) {
                throw new IllegalArgumentException(where + ": 'name' may hold letters, digits and ._@:+=,/#- only (and {{Attribute}} templates)");
            }
            List<String> groups = r.groups() == null ? List.of() : r.groups();
            for (String g : groups) {
                if (g == null || !NAME.matcher(g).matches()) {
                    throw new IllegalArgumentException(where + ": group '" + g + "' may hold letters, digits and ._@:+=,/#- only");
                }
                if (ReservedGroups.isReserved(g)) {
                    throw new IllegalArgumentException(where + ": " + ReservedGroups.refusal(g));
                }
            }
            rules.add(new Rule(r.identity(), Optional.ofNullable(r.kind()), r.name(), groups,
                    Boolean.TRUE.equals(r.identityGroups()), glob(r.identity())));
        }
        return new IdentityMappings(rules);
    }

    /** {@code *} any run of characters (including / and :), {@code ?} one character, the rest literal. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * The principal for {@code identity}, or empty when no rule matches. Fails with
     * {@link IllegalArgumentException} when the matching rule's template cannot be filled in or
     * yields a name that is not allowed (e.g. a session name with characters a user name cannot hold).
     */
    public Optional<Mapped> map(ExternalIdentity identity) {
        for (Rule rule : rules) {
            if (rule.matches(identity)) {
                String name = render(rule.name(), identity.attributes());
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("the mapped principal name '" + name + "' is not allowed");
                }
                List<String> groups = new ArrayList<>(rule.groups());
                if (rule.identityGroups()) {
                    // A provider's system: groups (a TokenReview's system:serviceaccounts:<ns>) are its
                    // own bookkeeping; impersonated, they would carry the cluster's meaning (ReservedGroups).
                    ReservedGroups.withoutReserved(identity.groups()).stream()
                            .filter(g -> !groups.contains(g)).forEach(groups::add);
                }
                return Optional.of(new Mapped(name, groups));
            }
        }
        return Optional.empty();
    }

    private static String render(String template, Map<String, String> attributes) {
        Matcher m = TEMPLATE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = attributes.get(m.group(1));
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("the mapping's name template needs {{" + m.group(1)
                        + "}}, which this identity does not have");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
