package dev.kubegate.hatches;

import java.util.List;

/**
 * An agent as the API server sees it through kubegate: impersonated as {@code kubegate:<name>} with
 * its groups (plus {@code system:authenticated}, which the API server adds to every impersonated user).
 *
 * @param name   the principal name; for mapping rules with {@code {{Attribute}}} templates, the template
 * @param groups the groups kubegate impersonates it with
 * @param source where it comes from: {@code mapping <identity>}, {@code static token}, or {@code kubegate itself}
 * @param note   what the check cannot see for it (templated names, provider groups); empty when nothing
 * @param self   true when kubegate does not impersonate: then agents act as kubegate's own identity
 */
public record AgentSubject(String name, List<String> groups, String source, String note, boolean self) {

    public AgentSubject {
        groups = List.copyOf(groups);
    }

    /** The user name the API server authorizes. */
    public String user() {
        return self ? "" : "kubegate:" + name;
    }
}
