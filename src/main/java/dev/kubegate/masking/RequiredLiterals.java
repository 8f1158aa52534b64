package dev.kubegate.masking;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A cheap prefilter for a regex: a set of literal strings one of which occurs in every text the
 * regex finds a match in. A line with none of them is skipped without running the regex — most log
 * lines hold no credential, and {@code String.indexOf} is many times faster than {@code find()}.
 *
 * <p>Derived conservatively from the pattern's top-level sequence: runs of literal chars that are
 * not optional, and groups whose every alternative starts with a literal. Anything not understood
 * (a top-level alternation, comments mode, {@code \Q}, backreferences, unknown escapes) yields no
 * prefilter, so the regex always runs. Case-insensitive patterns (flag or any inline {@code (?i})
 * give lower-case literals, to be searched in ASCII-lower-cased text. The patterns are RE2/J's
 * (log patterns); named groups may be written {@code (?<name>...)} or {@code (?P<name>...)}.
 */
final class RequiredLiterals {

    private static final Pattern FLAGS_X = Pattern.compile("\\(\\?[a-zA-Z-]*x");
    private static final Pattern FLAGS_I = Pattern.compile("\\(\\?[a-zA-Z]*i");

    /** Literals shorter than this filter too little to be worth it. */
    static final int MIN_LENGTH = 3;

    final String[] literals;
    final boolean caseInsensitive;
    /**
     * Every match starts with one of the literals (they are the pattern's prefix, after zero-width
     * assertions), and the pattern has no {@code ^} or lookbehind: the caller may try the regex only
     * at the literals' occurrences ({@code lookingAt} with transparent bounds) instead of scanning.
     */
    final boolean anchored;

    private RequiredLiterals(List<String> literals, boolean caseInsensitive, boolean anchored) {
        this.literals = literals.toArray(String[]::new);
        this.caseInsensitive = caseInsensitive;
        this.anchored = anchored;
    }

    static Optional<RequiredLiterals> of(com.google.re2j.Pattern p) {
        String re = p.pattern();
        if (re.contains("\\Q") || FLAGS_X.matcher(re).find()) {
            return Optional.empty();
        }
        boolean ci = (p.flags() & com.google.re2j.Pattern.CASE_INSENSITIVE) != 0 || FLAGS_I.matcher(re).find();
        List<List<String>> candidates = new ArrayList<>();
        Walker walker = new Walker(re, false);
        try {
            walker.walk(candidates);
        } catch (Unsupported e) {
            return Optional.empty();
        }
        boolean anchorable = !re.contains("(?<=") && !re.contains("(?<!") && re.replace("[^", "").indexOf('^') < 0;
        if (anchorable && walker.prefix != null
                && walker.prefix.stream().mapToInt(String::length).min().orElse(0) >= MIN_LENGTH) {
            List<String> lits = ci ? walker.prefix.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList() : walker.prefix;
            return Optional.of(new RequiredLiterals(lits, ci, true));
        }
        List<String> best = null;
        int bestMin = MIN_LENGTH - 1;
        for (List<String> c : candidates) {
            int min = c.stream().mapToInt(String::length).min().orElse(0);
            if (min > bestMin || min == bestMin && best != null && c.size() < best.size()) {
                best = c;
                bestMin = min;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        List<String> lits = ci ? best.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList() : best;
        return Optional.of(new RequiredLiterals(lits, ci, false));
    }

    private static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    /** Walks one sequence (the whole pattern, or one alternative of a group). */
    private static final class Walker {
        private final String re;
        private final boolean prefixOnly; // stop at the first break: the literal prefix of an alternative
        private int i;
        private final StringBuilder run = new StringBuilder();
        private boolean stopped;
        private String prefixResult = "";
        private boolean consumed;          // something that consumes input came before (top level)
        private boolean runIsPrefix;       // the current run started before anything consumed
        List<String> prefix;               // the candidate every match starts with, if any

        Walker(String re, boolean prefixOnly) {
            this.re = re;
            this.prefixOnly = prefixOnly;
        }

        /** The literal prefix of {@code alt}, possibly empty. */
        static String prefix(String alt) {
            Walker w = new Walker(alt, true);
            w.walk(new ArrayList<>());
            return w.prefixResult;
        }

        void walk(List<List<String>> out) {
            int n = re.length();
            while (i < n && !stopped) {
                char c = re.charAt(i);
                switch (c) {
                    case '(' -> group(out);
                    case '[' -> {
                        i = skipClass(i);
                        quantifier();
                        end(out);
                    }
                    case '\\' -> escape(out);
                    case '.' -> {
                        i++;
                        quantifier();
                        end(out);
                    }
                    case '^', '$' -> i++;
                    case '|', ')', '*', '+', '?', '{' -> throw new Unsupported();
                    default -> {
                        if (c > 126 || c < 32) {
                            throw new Unsupported();
                        }
                        i++;
                        literal(c, out);
                    }
                }
            }
            end(out);
        }

        private void escape(List<List<String>> out) {
            if (i + 1 >= re.length()) {
                throw new Unsupported();
            }
            char d = re.charAt(i + 1);
            i += 2;
            if (Character.isLetterOrDigit(d)) {
                switch (d) {
                    case 'b', 'B', 'A', 'G', 'Z', 'z' -> { // zero-width: a literal run goes on across it
                    }
                    case 's', 'S', 'd', 'D', 'w', 'W', 'h', 'H', 'v', 'V', 'R', 'n', 't', 'r', 'f', 'e' -> {
                        quantifier();
                        end(out);
                    }
                    case 'p', 'P' -> {
                        if (i < re.length() && re.charAt(i) == '{') {
                            int close = re.indexOf('}', i);
                            if (close < 0) throw new Unsupported();
                            i = close + 1;
                        } else {
                            i++;
                        }
                        quantifier();
                        end(out);
                    }
                    default -> throw new Unsupported();
                }
                return;
            }
            if (d > 126 || d < 32) {
                throw new Unsupported();
            }
            literal(d, out);
        }

        private void literal(char c, List<List<String>> out) {
            int q = quantifier();
            if (q != 2 && run.length() == 0) {
                runIsPrefix = !consumed;
            }
            if (q == 0) {
                run.append(c);
            } else if (q == 1) { // one or more: required once, then the run breaks
                run.append(c);
                end(out);
            } else { // optional
                end(out);
            }
            consumed = true;
        }

        /** Skips a quantifier at i: 0 none, 1 min ≥ 1, 2 min 0. */
        private int quantifier() {
            if (i >= re.length()) {
                return 0;
            }
            char q = re.charAt(i);
            int kind;
            if (q == '?' || q == '*') {
                kind = 2;
                i++;
            } else if (q == '+') {
                kind = 1;
                i++;
            } else if (q == '{') {
                int close = re.indexOf('}', i);
                if (close < 0) throw new Unsupported();
                String body = re.substring(i + 1, close);
                String min = body.split(",", -1)[0].strip();
                if (min.isEmpty() || !min.chars().allMatch(Character::isDigit)) throw new Unsupported();
                kind = Integer.parseInt(min) == 0 ? 2 : 1;
                i = close + 1;
            } else {
                return 0;
            }
            if (i < re.length() && (re.charAt(i) == '?' || re.charAt(i) == '+')) {
                i++; // lazy or possessive
            }
            return kind;
        }

        private void group(List<List<String>> out) {
            int close = matching(i);
            String inner = re.substring(i + 1, close);
            i = close + 1;
            int q = quantifier();
            boolean lookaround = inner.startsWith("?=") || inner.startsWith("?!") || inner.startsWith("?<=") || inner.startsWith("?<!");
            boolean flagsOnly = inner.matches("\\?[a-zA-Z-]*");
            boolean wasConsumed = consumed || run.length() > 0;
            if (lookaround || flagsOnly) { // zero-width: a run goes on across it, nothing consumed
                return;
            }
            end(out);
            if (stopped || q == 2) {
                return;
            }
            String body;
            if (!inner.startsWith("?")) {
                body = inner;
            } else if (inner.startsWith("?:") || inner.startsWith("?>")) {
                body = inner.substring(2);
            } else if (inner.startsWith("?<") || inner.startsWith("?P<")) {
                int gt = inner.indexOf('>');
                if (gt < 0) throw new Unsupported();
                body = inner.substring(gt + 1);
            } else {
                int colon = inner.indexOf(':');
                if (inner.matches("\\?[a-zA-Z-]*")) { // flags only, e.g. (?i): applies to what follows
                    return;
                }
                if (colon < 0 || !inner.substring(1, colon).matches("[a-zA-Z-]*")) throw new Unsupported();
                body = inner.substring(colon + 1);
            }
            List<String> alternatives = splitAlternatives(body);
            List<String> prefixes = new ArrayList<>();
            for (String alt : alternatives) {
                String p;
                try {
                    p = prefix(alt);
                } catch (Unsupported e) {
                    return; // no candidate from this group; the rest still counts
                }
                if (p.isEmpty()) {
                    return;
                }
                prefixes.add(p);
            }
            if (!prefixes.isEmpty()) {
                out.add(prefixes);
                if (!wasConsumed && prefix == null) {
                    prefix = prefixes;
                }
            }
        }

        private void end(List<List<String>> out) {
            if (prefixOnly) {
                if (!stopped) {
                    prefixResult = run.toString();
                    stopped = true;
                }
                return;
            }
            if (run.length() > 0) {
                out.add(List.of(run.toString()));
                if (runIsPrefix && prefix == null) {
                    prefix = List.of(run.toString());
                }
                run.setLength(0);
            }
            runIsPrefix = false;
            consumed = true;
        }

        private int skipClass(int at) {
            int j = at + 1;
            if (j < re.length() && re.charAt(j) == '^') j++;
            if (j < re.length() && re.charAt(j) == ']') j++;
            int depth = 1;
            while (j < re.length()) {
                char c = re.charAt(j);
                if (c == '\\') {
                    j += 2;
                    continue;
                }
                if (c == '[') {
                    depth++;
                } else if (c == ']' && --depth == 0) {
                    return j + 1;
                }
                j++;
            }
            throw new Unsupported();
        }

        private int matching(int open) {
            int depth = 0;
            int j = open;
            while (j < re.length()) {
                char c = re.charAt(j);
                if (c == '\\') {
                    j += 2;
                    continue;
                }
                if (c == '[') {
                    j = skipClass(j);
                    continue;
                }
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return j;
                }
                j++;
            }
            throw new Unsupported();
        }

        private List<String> splitAlternatives(String body) {
            List<String> alts = new ArrayList<>();
            int depth = 0;
            int start = 0;
            for (int j = 0; j < body.length(); j++) {
                char c = body.charAt(j);
                if (c == '\\') {
                    j++;
                } else if (c == '[') {
                    j = new Walker(body, false).skipClassAt(j) - 1;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == '|' && depth == 0) {
                    alts.add(body.substring(start, j));
                    start = j + 1;
                }
            }
            alts.add(body.substring(start));
            return alts;
        }

        private int skipClassAt(int at) {
            return skipClass(at);
        }
    }
}
