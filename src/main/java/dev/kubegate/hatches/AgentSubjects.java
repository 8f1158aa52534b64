package dev.kubegate.hatches;

import dev.kubegate.identity.ReservedGroups;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.identity.mapping.IdentityMappings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every agent identity kubegate can impersonate, from its identity mapping file and static token file.
 * Pure. Groups are those kubegate sends (system: groups never are, {@link ReservedGroups}).
 */
public final class AgentSubjects {

    private AgentSubjects() {
    }

    /**
     * @param impersonate {@code kubegate.upstream.impersonate}: when false, every agent acts as kubegate
     *                    itself, and that one identity is what is checked
     */
    public static List<AgentSubject> of(Optional<IdentityMappings> mappings, Optional<TokenFile> staticTokens, boolean impersonate) {
        if (!impersonate) {
            return List.of(new AgentSubject("(kubegate itself)", List.of(), "kubegate.upstream.impersonate=false",
                    "agents act with kubegate's own identity", true));
        }
        Map<String, AgentSubject> byName = new LinkedHashMap<>();
        mappings.ifPresent(m -> {
            for (IdentityMappings.Rule r : m.rules()) {
                List<String> notes = new ArrayList<>();
                if (r.name().contains("{{")) {
                    notes.add("the name is a template: rights bound to the rendered user names are not seen");
                }
                if (r.identityGroups()) {
                    notes.add("identityGroups: groups the identity provider asserts are not seen");
                }
                add(byName, new AgentSubject(r.name(), ReservedGroups.withoutReserved(r.groups()),
                        "mapping " + r.identity(), String.join("; ", notes), false));
            }
        });
        staticTokens.ifPresent(t -> t.entries().stream()
                .sorted(Comparator.comparing(TokenFile.Entry::name))
                .forEach(e -> add(byName, new AgentSubject(e.name(), ReservedGroups.withoutReserved(e.groups()),
                        "static token", "", false))));
        return List.copyOf(byName.values());
    }

    /** One subject per name and groups; the first source names it. */
    private static void add(Map<String, AgentSubject> byName, AgentSubject s) {
        byName.putIfAbsent(s.name() + "\n" + String.join(",", s.groups()), s);
    }
}
