package dev.kubegate.hatches;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one check of every agent. Pure.
 *
 * @param subjects the agents checked
 * @param findings what they may do, sorted by principal, severity, kind, namespace
 * @param errors   what could not be checked (the report is then incomplete)
 */
public record HatchReport(List<AgentSubject> subjects, List<Finding> findings, List<String> errors, Instant checkedAt) {

    /**
     * One right of one agent.
     *
     * @param namespace {@code ""} for cluster-scoped rights, {@code "*"} when granted in every namespace
     * @param detail    what exactly it may do, e.g. {@code create serviceaccounts/token}
     */
    public record Finding(String principal, String kind, HatchChecks.Severity severity, String namespace, String detail) {
    }

    private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::principal)
            .thenComparing(Finding::severity).thenComparing(Finding::kind).thenComparing(Finding::namespace);

    public HatchReport {
        subjects = List.copyOf(subjects);
        findings = findings.stream().sorted(ORDER).toList();
        errors = List.copyOf(errors);
    }

    public List<Finding> hatches() {
        return findings.stream().filter(f -> f.severity() == HatchChecks.Severity.HATCH).toList();
    }

    /** The report for one principal only. */
    public HatchReport forPrincipal(String name) {
        return new HatchReport(subjects.stream().filter(s -> s.name().equals(name)).toList(),
                findings.stream().filter(f -> f.principal().equals(name)).toList(), errors, checkedAt);
    }

    /** Escape hatches per principal and kind (severity HATCH only), for the metric. */
    public Map<List<String>, Integer> hatchCounts() {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (Finding f : hatches()) {
            counts.merge(List.of(f.principal(), f.kind()), 1, Integer::sum);
        }
        return counts;
    }

    /** A table for people: one line per finding, then notes and errors. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        if (findings.isEmpty()) {
            out.append(subjects.isEmpty() ? "No agent identities are configured (mapping file, static tokens): nothing to check.\n"
                    : "No escape hatches found for " + subjects.size() + " agent identities.\n");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"PRINCIPAL", "SEVERITY", "KIND", "NAMESPACE", "WHAT"});
            for (Finding f : findings) {
                rows.add(new String[]{f.principal(), f.severity().label(), f.kind(),
                        f.namespace().isEmpty() ? "(cluster)" : f.namespace().equals("*") ? "(all)" : f.namespace(), f.detail()});
            }
            int[] width = new int[5];
            for (String[] r : rows) {
                for (int i = 0; i < 4; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                for (int i = 0; i < 4; i++) {
                    out.append(r[i]).append(" ".repeat(width[i] - r[i].length() + 2));
                }
                out.append(r[4]).append('\n');
            }
            out.append('\n').append(hatches().size()).append(" escape hatches, ")
                    .append(findings.size() - hatches().size()).append(" informational findings, for ")
                    .append(subjects.size()).append(" agent identities.\n");
        }
        for (AgentSubject s : subjects) {
            if (!s.note().isEmpty()) {
                out.append("note: ").append(s.name()).append(" (").append(s.source()).append("): ").append(s.note()).append('\n');
            }
        }
        for (String e : errors) {
            out.append("error: ").append(e).append('\n');
        }
        return out.toString();
    }

    /** The JSON form ({@code -o json}): plain maps, lists and strings. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("checkedAt", checkedAt.toString());
        out.put("hatches", hatches().size());
        out.put("principals", subjects.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("user", s.self() ? null : s.user());
            m.put("groups", s.groups());
            m.put("source", s.source());
            if (!s.note().isEmpty()) {
                m.put("note", s.note());
            }
            return m;
        }).toList());
        out.put("findings", findings.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("principal", f.principal());
            m.put("severity", f.severity().label());
            m.put("kind", f.kind());
            m.put("namespace", f.namespace());
            m.put("detail", f.detail());
            return m;
        }).toList());
        out.put("errors", errors);
        return out;
    }
}
