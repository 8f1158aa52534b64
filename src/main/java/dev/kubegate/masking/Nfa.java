package dev.kubegate.masking;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Log patterns (RE2 syntax) compiled to one Thompson automaton over Latin-1 characters, for
 * {@link TextPatterns}. Text streams are masked as ISO-8859-1 (one char per byte), so every
 * character set is a set of 256 values.
 *
 * <p>Each consuming state carries a mask bit: set on the states inside a group named
 * {@code secret} (or on all states of a pattern without one, or of every pattern when built for
 * whole matches). Lazy and greedy quantifiers accept the same language and are not told apart:
 * what is masked is every character some match consumes with a masked state, never less than the
 * leftmost match would.
 *
 * <p>The syntax is RE2's, as RE2/J reads it: literals and escapes, classes (ranges, negation,
 * {@code \d\s\w}, POSIX {@code [:alpha:]}, {@code \pL}/{@code \p{Greek}}), groups (capturing,
 * {@code (?:)}, {@code (?P<n>)}, {@code (?<n>)}), flags {@code i s m U} (inline and scoped),
 * alternation, {@code * + ? {n} {n,} {n,m}} (lazy forms too), {@code \Q…\E} and the assertions
 * {@code ^ $ \A \z \b \B}. Anything else, or an automaton above {@link #MAX_STATES}, is refused
 * ({@link #compile} returns empty) and the caller keeps RE2/J for that pattern.
 */
final class Nfa {

    static final int CHAR = 0, SPLIT = 1, EMPTY = 2, MATCH = 3;
    static final int NONE = 0, BEGIN_TEXT = 1, END_TEXT = 2, WORD_BOUNDARY = 3, NOT_WORD_BOUNDARY = 4;
    static final int MAX_STATES = 20_000;
    private static final int MAX_REPEAT = 1000; // RE2's limit too

    final int start;
    final int[] kind;
    final int[] set;       // CHAR: index into sets
    final int[] out1;
    final int[] out2;      // SPLIT: the second branch
    final int[] assertion; // EMPTY: NONE or the assertion that must hold to pass
    final boolean[] masked;
    final List<long[]> sets;

    private Nfa(Builder b, int start) {
        int n = b.size;
        this.start = start;
        this.kind = Arrays.copyOf(b.kind, n);
        this.set = Arrays.copyOf(b.set, n);
        this.out1 = Arrays.copyOf(b.out1, n);
        this.out2 = Arrays.copyOf(b.out2, n);
        this.assertion = Arrays.copyOf(b.assertion, n);
        this.masked = Arrays.copyOf(b.masked, n);
        this.sets = List.copyOf(b.sets);
    }

    int size() {
        return kind.length;
    }

    static boolean contains(long[] set, int c) {
        return (set[c >>> 6] & (1L << c)) != 0;
    }

    /** The ASCII word characters, as RE2's {@code \b} reads them. */
    static boolean isWord(int c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
    }

    /**
     * One automaton for all patterns, or empty when one of them uses what this engine does not
     * read. {@code wholeMatch}: every consuming state masked, {@code secret} groups ignored.
     */
    static Optional<Nfa> compile(List<String> patterns, boolean wholeMatch) {
        Builder b = new Builder();
        int match = b.add(MATCH, -1, -1, -1, NONE, false);
        int start = -1;
        try {
            for (String p : patterns) {
                Node ast = new Parser(p).parse();
                boolean narrowed = !wholeMatch && ast.hasSecret();
                int s = ast.compile(b, match, !narrowed);
                start = start < 0 ? s : b.add(SPLIT, -1, s, start, NONE, false);
            }
        } catch (Unsupported e) {
            return Optional.empty();
        }
        if (start < 0) {
            start = b.add(EMPTY, -1, -1, -1, NONE, false); // no patterns: nothing ever matches
            b.out1[start] = start;
            b.kind[start] = SPLIT;
            b.out2[start] = start;
        }
        return Optional.of(new Nfa(b, start));
    }

    static final class Unsupported extends RuntimeException {
        Unsupported(String what) {
            super(what, null, false, false);
        }
    }

    private static final class Builder {
        int size;
        int[] kind = new int[64], set = new int[64], out1 = new int[64], out2 = new int[64], assertion = new int[64];
        boolean[] masked = new boolean[64];
        final List<long[]> sets = new ArrayList<>();
        private final Map<String, Integer> setIndex = new HashMap<>();

        int add(int k, int s, int o1, int o2, int a, boolean m) {
            if (size == MAX_STATES) {
                throw new Unsupported("automaton too large");
            }
            if (size == kind.length) {
                int n = size * 2;
                kind = Arrays.copyOf(kind, n);
                set = Arrays.copyOf(set, n);
                out1 = Arrays.copyOf(out1, n);
                out2 = Arrays.copyOf(out2, n);
                assertion = Arrays.copyOf(assertion, n);
                masked = Arrays.copyOf(masked, n);
            }
            kind[size] = k;
            set[size] = s;
            out1[size] = o1;
            out2[size] = o2;
            assertion[size] = a;
            masked[size] = m;
            return size++;
        }

        int setOf(long[] bits) {
            return setIndex.computeIfAbsent(Arrays.toString(bits), k -> {
                sets.add(bits.clone());
                return sets.size() - 1;
            });
        }
    }

    /** The parsed pattern. {@code compile} builds it backwards: given where to go next, returns its entry state. */
    private sealed interface Node {
        int compile(Builder b, int next, boolean masked);

        default boolean hasSecret() {
            return false;
        }
    }

    private record Chars(long[] bits) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            return b.add(CHAR, b.setOf(bits), next, -1, NONE, masked);
        }
    }

    private record Assert(int what) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            return b.add(EMPTY, -1, next, -1, what, false);
        }
    }

    private record Concat(List<Node> parts) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            int at = next;
            for (int i = parts.size() - 1; i >= 0; i--) {
                at = parts.get(i).compile(b, at, masked);
            }
            return at;
        }

        public boolean hasSecret() {
            return parts.stream().anyMatch(Node::hasSecret);
        }
    }

    private record Alt(List<Node> choices) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            int at = choices.get(choices.size() - 1).compile(b, next, masked);
            for (int i = choices.size() - 2; i >= 0; i--) {
                at = b.add(SPLIT, -1, choices.get(i).compile(b, next, masked), at, NONE, false);
            }
            return at;
        }

        public boolean hasSecret() {
            return choices.stream().anyMatch(Node::hasSecret);
        }
    }

    private record Group(Node body, boolean secret) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            return body.compile(b, next, masked || secret);
        }

        public boolean hasSecret() {
            return secret || body.hasSecret();
        }
    }

    /** {@code max} -1: unbounded. */
    private record Repeat(Node body, int min, int max) implements Node {
        public int compile(Builder b, int next, boolean masked) {
            int at;
            if (max < 0) { // a loop: split into the body (which returns to the split) or on
                int loop = b.add(SPLIT, -1, -1, next, NONE, false);
                b.out1[loop] = body.compile(b, loop, masked);
                at = loop;
            } else {
                at = next;
                for (int i = min; i < max; i++) { // nested optionals: (x(x)?)?
                    at = b.add(SPLIT, -1, body.compile(b, at, masked), next, NONE, false);
                }
            }
            for (int i = 0; i < min; i++) {
                at = body.compile(b, at, masked);
            }
            return at;
        }

        public boolean hasSecret() {
            return body.hasSecret();
        }
    }

    /** Recursive descent over RE2's syntax. */
    private static final class Parser {
        private final String re;
        private int i;
        private boolean foldCase;
        private boolean dotAll;

        Parser(String re) {
            this.re = re;
        }

        Node parse() {
            Node n = alternation();
            if (i < re.length()) {
                throw new Unsupported("unbalanced ')'");
            }
            return n;
        }

        private Node alternation() {
            List<Node> choices = new ArrayList<>();
            choices.add(concat());
            while (i < re.length() && re.charAt(i) == '|') {
                i++;
                choices.add(concat());
            }
            return choices.size() == 1 ? choices.get(0) : new Alt(choices);
        }

        private Node concat() {
            List<Node> parts = new ArrayList<>();
            while (i < re.length() && re.charAt(i) != '|' && re.charAt(i) != ')') {
                Node atom = atom();
                if (atom != null) {
                    parts.add(quantified(atom));
                }
            }
            return parts.size() == 1 ? parts.get(0) : new Concat(parts);
        }

        private Node quantified(Node atom) {
            while (i < re.length()) {
                char c = re.charAt(i);
                int min, max;
                int save = i;
                if (c == '*') {
                    min = 0;
                    max = -1;
                    i++;
                } else if (c == '+') {
                    min = 1;
                    max = -1;
                    i++;
                } else if (c == '?') {
                    min = 0;
                    max = 1;
                    i++;
                } else if (c == '{') {
                    int close = re.indexOf('}', i);
                    String body = close < 0 ? "" : re.substring(i + 1, close);
                    if (!body.matches("\\d+(,\\d*)?")) {
                        return atom; // RE2: a '{' that opens no repeat is a literal
                    }
                    String[] mm = body.split(",", -1);
                    min = Integer.parseInt(mm[0]);
                    max = mm.length == 1 ? min : mm[1].isEmpty() ? -1 : Integer.parseInt(mm[1]);
                    if (min > MAX_REPEAT || max > MAX_REPEAT || max >= 0 && max < min) {
                        throw new Unsupported("bad repeat");
                    }
                    i = close + 1;
                } else {
                    return atom;
                }
                if (i < re.length() && re.charAt(i) == '?') {
                    i++; // lazy: the same language
                }
                if (atom instanceof Assert || atom instanceof Repeat) {
                    i = save;
                    throw new Unsupported("repeated repeat or assertion");
                }
                atom = new Repeat(atom, min, max);
            }
            return atom;
        }

        /** One atom, or null for a flag group that only changes flags. */
        private Node atom() {
            char c = re.charAt(i);
            switch (c) {
                case '(':
                    return group();
                case '[':
                    return new Chars(charClass());
                case '.': {
                    i++;
                    long[] all = all();
                    if (!dotAll) {
                        clear(all, '\n');
                    }
                    return new Chars(all);
                }
                case '^':
                    i++;
                    return new Assert(BEGIN_TEXT);
                case '$':
                    i++;
                    return new Assert(END_TEXT);
                case '\\':
                    return escape();
                case '*', '+', '?':
                    throw new Unsupported("missing argument to repetition");
                default:
                    i++;
                    return literal(c);
            }
        }

        private Node literal(int c) {
            long[] s = new long[4];
            if (c < 256) {
                set(s, c);
            } // a char above Latin-1 never occurs in the text: an empty set
            return new Chars(fold(s));
        }

        private Node group() {
            i++; // '('
            boolean secret = false;
            boolean savedFold = foldCase, savedDot = dotAll;
            if (re.startsWith("?", i)) {
                if (re.startsWith("?P<", i) || re.startsWith("?<", i) && !re.startsWith("?<=", i) && !re.startsWith("?<!", i)) {
                    int open = re.indexOf('<', i);
                    int gt = re.indexOf('>', open);
                    if (gt < 0) {
                        throw new Unsupported("group name");
                    }
                    secret = re.substring(open + 1, gt).equals("secret");
                    i = gt + 1;
                } else {
                    int j = i + 1;
                    boolean on = true;
                    while (j < re.length() && re.charAt(j) != ':' && re.charAt(j) != ')') {
                        char f = re.charAt(j++);
                        switch (f) {
                            case 'i' -> foldCase = on;
                            case 's' -> dotAll = on;
                            case 'm', 'U' -> { // ^ $ at line ends: the text is one line; U: same language
                            }
                            case '-' -> on = false;
                            default -> throw new Unsupported("group (?" + f);
                        }
                    }
                    if (j >= re.length()) {
                        throw new Unsupported("unclosed group");
                    }
                    i = j + 1;
                    if (re.charAt(j) == ')') { // (?i): applies to the rest of the enclosing group
                        return null;
                    }
                }
            }
            Node body = alternation();
            if (i >= re.length() || re.charAt(i) != ')') {
                throw new Unsupported("missing ')'");
            }
            i++;
            foldCase = savedFold;
            dotAll = savedDot;
            return new Group(body, secret);
        }

        private Node escape() {
            if (i + 1 >= re.length()) {
                throw new Unsupported("trailing backslash");
            }
            char d = re.charAt(i + 1);
            int assertion = switch (d) {
                case 'A' -> BEGIN_TEXT;
                case 'z' -> END_TEXT;
                case 'b' -> WORD_BOUNDARY;
                case 'B' -> NOT_WORD_BOUNDARY;
                default -> NONE;
            };
            if (assertion != NONE) {
                i += 2;
                return new Assert(assertion);
            }
            switch (d) {
                case 'Q' -> {
                    int end = re.indexOf("\\E", i + 2);
                    String lit = re.substring(i + 2, end < 0 ? re.length() : end);
                    i = end < 0 ? re.length() : end + 2;
                    List<Node> parts = new ArrayList<>();
                    lit.codePoints().forEach(cp -> parts.add(literal(cp)));
                    return parts.size() == 1 ? parts.get(0) : new Concat(parts);
                }
                default -> {
                    long[] s = new long[4];
                    escapeInto(s);
                    return new Chars(fold(s));
                }
            }
        }

        /** Reads an escape at i (a backslash) that stands for characters, adding them to s. */
        private void escapeInto(long[] s) {
            char d = re.charAt(i + 1);
            i += 2;
            switch (d) {
                case 'd', 'D', 's', 'S', 'w', 'W' -> {
                    long[] cls = perl(Character.toLowerCase(d));
                    or(s, Character.isUpperCase(d) ? not(cls) : cls);
                }
                case 'p', 'P' -> or(s, unicode(d == 'P'));
                case 'a' -> set(s, 7);
                case 'f' -> set(s, '\f');
                case 't' -> set(s, '\t');
                case 'n' -> set(s, '\n');
                case 'r' -> set(s, '\r');
                case 'v' -> set(s, 11);
                case 'x' -> addCodePoint(s, hex());
                case '0', '1', '2', '3', '4', '5', '6', '7' -> { // octal, as RE2 reads \0 \12 \123
                    int v = d - '0';
                    for (int k = 0; k < 2 && i < re.length() && re.charAt(i) >= '0' && re.charAt(i) <= '7'; k++) {
                        v = v * 8 + re.charAt(i++) - '0';
                    }
                    if (d != '0' && v < 8) {
                        throw new Unsupported("backreference");
                    }
                    addCodePoint(s, v);
                }
                default -> {
                    if (Character.isLetterOrDigit(d) || d > 126) {
                        throw new Unsupported("escape \\" + d);
                    }
                    set(s, d); // escaped punctuation
                }
            }
        }

        private int hex() {
            if (i < re.length() && re.charAt(i) == '{') {
                int close = re.indexOf('}', i);
                if (close < 0) {
                    throw new Unsupported("\\x{");
                }
                int v = Integer.parseInt(re.substring(i + 1, close), 16);
                i = close + 1;
                return v;
            }
            if (i + 2 > re.length()) {
                throw new Unsupported("\\x");
            }
            int v = Integer.parseInt(re.substring(i, i + 2), 16);
            i += 2;
            return v;
        }

        private long[] unicode(boolean negated) {
            String name;
            if (i < re.length() && re.charAt(i) == '{') {
                int close = re.indexOf('}', i);
                if (close < 0) {
                    throw new Unsupported("\\p{");
                }
                name = re.substring(i + 1, close);
                i = close + 1;
            } else if (i < re.length()) {
                name = String.valueOf(re.charAt(i++));
            } else {
                throw new Unsupported("\\p");
            }
            if (name.startsWith("^")) {
                negated = !negated;
                name = name.substring(1);
            }
            long[] s = new long[4];
            for (int c = 0; c < 256; c++) {
                if (unicodeHas(name, c)) {
                    set(s, c);
                }
            }
            return negated ? not(s) : s;
        }

        /** General categories (one or two letters) and scripts, restricted to Latin-1. */
        private static boolean unicodeHas(String name, int c) {
            if (name.equals("Any")) {
                return true;
            }
            if (name.length() <= 2 && Character.isUpperCase(name.charAt(0))) {
                String cat = CATEGORIES[Character.getType(c)];
                return name.length() == 1 ? cat.charAt(0) == name.charAt(0) : cat.equals(name);
            }
            try {
                return Character.UnicodeScript.of(c) == Character.UnicodeScript.forName(name);
            } catch (IllegalArgumentException e) {
                throw new Unsupported("\\p{" + name + "}");
            }
        }

        // Character.getType value -> Unicode general category name
        private static final String[] CATEGORIES = new String[31];

        static {
            String[][] pairs = {{"Cn", "0"}, {"Lu", "1"}, {"Ll", "2"}, {"Lt", "3"}, {"Lm", "4"}, {"Lo", "5"}, {"Mn", "6"},
                    {"Me", "7"}, {"Mc", "8"}, {"Nd", "9"}, {"Nl", "10"}, {"No", "11"}, {"Zs", "12"}, {"Zl", "13"},
                    {"Zp", "14"}, {"Cc", "15"}, {"Cf", "16"}, {"Co", "18"}, {"Cs", "19"}, {"Pd", "20"}, {"Ps", "21"},
                    {"Pe", "22"}, {"Pc", "23"}, {"Po", "24"}, {"Sm", "25"}, {"Sc", "26"}, {"Sk", "27"}, {"So", "28"},
                    {"Pi", "29"}, {"Pf", "30"}};
            Arrays.fill(CATEGORIES, "Cn");
            for (String[] p : pairs) {
                CATEGORIES[Integer.parseInt(p[1])] = p[0];
            }
        }

        private long[] charClass() {
            i++; // '['
            boolean negated = false;
            if (i < re.length() && re.charAt(i) == '^') {
                negated = true;
                i++;
            }
            long[] s = new long[4];
            boolean first = true;
            while (true) {
                if (i >= re.length()) {
                    throw new Unsupported("missing ']'");
                }
                char c = re.charAt(i);
                if (c == ']' && !first) {
                    i++;
                    break;
                }
                first = false;
                if (c == '[' && re.startsWith("[:", i)) {
                    int close = re.indexOf(":]", i + 2);
                    if (close < 0) {
                        throw new Unsupported("[:");
                    }
                    or(s, posix(re.substring(i + 2, close)));
                    i = close + 2;
                    continue;
                }
                int lo;
                if (c == '\\') {
                    char d = i + 1 < re.length() ? re.charAt(i + 1) : 0;
                    if ("dDsSwWpP".indexOf(d) >= 0) {
                        escapeInto(s);
                        continue;
                    }
                    long[] one = new long[4];
                    int before = i;
                    escapeInto(one);
                    lo = single(one, before);
                } else {
                    lo = re.codePointAt(i);
                    i += Character.charCount(lo);
                }
                int hi = lo;
                if (i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
                    i++;
                    char h = re.charAt(i);
                    if (h == '\\') {
                        long[] one = new long[4];
                        int before = i;
                        escapeInto(one);
                        hi = single(one, before);
                    } else {
                        hi = re.codePointAt(i);
                        i += Character.charCount(hi);
                    }
                    if (hi < lo) {
                        throw new Unsupported("bad range");
                    }
                }
                for (int k = lo; k <= Math.min(hi, 255); k++) {
                    set(s, k);
                }
            }
            // folded before it is negated, as RE2 does: (?i)[^a] matches neither a nor A; a negated class matches \n too
            return negated ? not(fold(s)) : fold(s);
        }

        /** The one character an escape inside a class range stands for. */
        private int single(long[] one, int at) {
            int found = -1;
            for (int c = 0; c < 256; c++) {
                if (contains(one, c)) {
                    if (found >= 0) {
                        throw new Unsupported("class escape at " + at);
                    }
                    found = c;
                }
            }
            return found < 0 ? 0x10FFFF : found; // above Latin-1: never in the text
        }

        private long[] fold(long[] s) {
            if (!foldCase) {
                return s;
            }
            long[] f = s.clone();
            for (int c = 0; c < 256; c++) {
                if (contains(s, c)) {
                    int u = Character.toUpperCase(c), l = Character.toLowerCase(c);
                    if (u < 256) {
                        set(f, u);
                    }
                    if (l < 256) {
                        set(f, l);
                    }
                }
            }
            return f;
        }

        private static long[] perl(char d) {
            long[] s = new long[4];
            for (int c = 0; c < 128; c++) {
                boolean in = switch (d) {
                    case 'd' -> c >= '0' && c <= '9';
                    case 's' -> c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
                    default -> isWord(c);
                };
                if (in) {
                    set(s, c);
                }
            }
            return s;
        }

        private static long[] posix(String name) {
            boolean negated = name.startsWith("^");
            String n = negated ? name.substring(1) : name;
            long[] s = new long[4];
            for (int c = 0; c < 128; c++) {
                boolean in = switch (n) {
                    case "alnum" -> Character.isLetterOrDigit(c);
                    case "alpha" -> Character.isLetter(c);
                    case "ascii" -> true;
                    case "blank" -> c == ' ' || c == '\t';
                    case "cntrl" -> c < 32 || c == 127;
                    case "digit" -> c >= '0' && c <= '9';
                    case "graph" -> c > 32 && c < 127;
                    case "lower" -> c >= 'a' && c <= 'z';
                    case "print" -> c >= 32 && c < 127;
                    case "punct" -> c > 32 && c < 127 && !Character.isLetterOrDigit(c);
                    case "space" -> c == ' ' || c >= 9 && c <= 13;
                    case "upper" -> c >= 'A' && c <= 'Z';
                    case "word" -> isWord(c);
                    case "xdigit" -> Character.digit(c, 16) >= 0;
                    default -> throw new Unsupported("[:" + name + ":]");
                };
                if (in) {
                    set(s, c);
                }
            }
            return negated ? not(s) : s;
        }

        private static void addCodePoint(long[] s, int cp) {
            if (cp < 256) {
                set(s, cp);
            }
        }
    }

    static void set(long[] s, int c) {
        s[c >>> 6] |= 1L << c;
    }

    private static void clear(long[] s, int c) {
        s[c >>> 6] &= ~(1L << c);
    }

    private static void or(long[] s, long[] t) {
        for (int k = 0; k < 4; k++) {
            s[k] |= t[k];
        }
    }

    private static long[] not(long[] s) {
        return new long[]{~s[0], ~s[1], ~s[2], ~s[3]};
    }

    private static long[] all() {
        return new long[]{-1L, -1L, -1L, -1L};
    }
}
