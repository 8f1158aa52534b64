package dev.kubegate.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Port of {@code k8s.io/apimachinery/pkg/fields.ParseSelector}: comma-separated terms
 * {@code field=value}, {@code field==value} or {@code field!=value}; in values, {@code \,},
 * {@code \=} and {@code \\} are escapes and a bare {@code ,} or {@code =} is an error.
 */
final class FieldSelector {

    private record Term(String field, boolean equals, String value) {
    }

    private static final String[] OPERATORS = {"!=", "==", "="}; // "==" before "=", as in Go

    static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    static FieldSelector parse(String selector) throws DecodeException {
        List<String> parts = splitTerms(selector);
        // Go sorts the raw terms; RequiresExactMatch then returns the first match in that order.
        parts.sort(GoCompat::compareUtf8);
        List<Term> terms = new ArrayList<>();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            Term term = splitTerm(part);
            if (term == null) {
                throw new DecodeException("invalid selector: '" + selector + "'; can't understand '" + part + "'");
            }
            // Transform with the identity function drops a term whose field and value are both empty.
            if (!term.field().isEmpty() || !term.value().isEmpty()) {
                terms.add(term);
            }
        }
        return new FieldSelector(terms);
    }

    /** {@code Selector.RequiresExactMatch}: the value of the first {@code field=value} term, if any. */
    Optional<String> requiresExactMatch(String field) {
        return terms.stream().filter(t -> t.equals() && t.field().equals(field)).map(Term::value).findFirst();
    }

    /** Splits on commas not escaped by a backslash; escapes stay in the terms. */
    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        if (selector.isEmpty()) {
            return terms;
        }
        int start = 0;
        boolean inSlash = false;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (inSlash) {
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == ',') {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }

    /** The first operator occurrence splits the term; the field side knows no escapes. */
    private static Term splitTerm(String term) throws DecodeException {
        for (int i = 0; i < term.length(); i++) {
            for (String op : OPERATORS) {
                if (term.startsWith(op, i)) {
                    String value = unescapeValue(term.substring(i + op.length()));
                    return new Term(term.substring(0, i), !op.equals("!="), value);
                }
            }
        }
        return null;
    }

    private static String unescapeValue(String s) throws DecodeException {
        StringBuilder out = new StringBuilder(s.length());
        boolean inSlash = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inSlash) {
                if (c != '\\' && c != ',' && c != '=') {
                    throw new DecodeException("invalid field selector: invalid escape sequence: \\" + c);
                }
                out.append(c);
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == ',' || c == '=') {
                throw new DecodeException("invalid field selector: unescaped character in value: " + c);
            } else {
                out.append(c);
            }
        }
        if (inSlash) {
            throw new DecodeException("invalid field selector: invalid escape sequence: \\");
        }
        return out.toString();
    }
}
