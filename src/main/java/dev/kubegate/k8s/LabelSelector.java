package dev.kubegate.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Port of {@code k8s.io/apimachinery/pkg/labels.Parse}, reduced to the question RequestInfo asks:
 * does the API server accept this label selector? (A rejected one makes ListOptions decoding fail,
 * which changes how the request is classified.) Lexer, grammar and key/value validation follow the
 * Go code step by step, quirks included: the lexer reads a NUL character as end of input.
 */
final class LabelSelector {

    private enum Token {
        ERROR, END, CLOSED_PAR, COMMA, DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, GREATER_THAN, IDENTIFIER,
        IN, LESS_THAN, NOT_EQUALS, NOT_IN, OPEN_PAR
    }

    private enum Op { IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN, EXISTS, DOES_NOT_EXIST }

    private record Item(Token token, String literal) {
    }

    private static final Map<String, Token> STRING_TO_TOKEN = Map.ofEntries(
            Map.entry(")", Token.CLOSED_PAR), Map.entry(",", Token.COMMA), Map.entry("!", Token.DOES_NOT_EXIST),
            Map.entry("==", Token.DOUBLE_EQUALS), Map.entry("=", Token.EQUALS), Map.entry(">", Token.GREATER_THAN),
            Map.entry("in", Token.IN), Map.entry("<", Token.LESS_THAN), Map.entry("!=", Token.NOT_EQUALS),
            Map.entry("notin", Token.NOT_IN), Map.entry("(", Token.OPEN_PAR));

    private static final Pattern LABEL_KEY_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final String input;
    private int pos;
    private final List<Item> items = new ArrayList<>();
    private int position;

    private LabelSelector(String input) {
        this.input = input;
    }

    /** Throws when {@code labels.Parse(selector)} returns an error. */
    static void validate(String selector) throws DecodeException {
        new LabelSelector(selector).parse();
    }

    // ---- lexer -------------------------------------------------------------------------------

    private char read() {
        return pos < input.length() ? input.charAt(pos++) : 0;
    }

    private void unread() {
        pos--;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isSpecialSymbol(char c) {
        return "=!(),><".indexOf(c) >= 0;
    }

    private Item lex() {
        char c = read();
        while (isWhitespace(c)) {
            c = read();
        }
        if (c == 0) {
            return new Item(Token.END, "");
        }
        unread();
        return isSpecialSymbol(c) ? scanSpecialSymbol() : scanIdOrKeyword();
    }

    private Item scanIdOrKeyword() {
        StringBuilder buffer = new StringBuilder();
        while (true) {
            char c = read();
            if (c == 0) {
                break;
            }
            if (isSpecialSymbol(c) || isWhitespace(c)) {
                unread();
                break;
            }
            buffer.append(c);
        }
        String s = buffer.toString();
        return new Item(STRING_TO_TOKEN.getOrDefault(s, Token.IDENTIFIER), s);
    }

    /** Longest operator made of special symbols. */
    private Item scanSpecialSymbol() {
        Item last = null;
        StringBuilder buffer = new StringBuilder();
        while (true) {
            char c = read();
            if (c == 0) {
                break;
            }
            if (!isSpecialSymbol(c)) {
                unread();
                break;
            }
            buffer.append(c);
            Token token = STRING_TO_TOKEN.get(buffer.toString());
            if (token != null) {
                last = new Item(token, buffer.toString());
            } else if (last != null) {
                unread();
                break;
            }
        }
        return last != null ? last : new Item(Token.ERROR, "error expected: keyword found '" + buffer + "'");
    }

    // ---- parser ------------------------------------------------------------------------------

    private enum Context { KEY_AND_OPERATOR, VALUES }

    private Item lookahead(Context context) {
        // Go never reads past the end token; the guard keeps a porting slip from escaping as an exception.
        Item item = position < items.size() ? items.get(position) : items.get(items.size() - 1);
        if (context == Context.VALUES && (item.token() == Token.IN || item.token() == Token.NOT_IN)) {
            return new Item(Token.IDENTIFIER, item.literal());
        }
        return item;
    }

    private Item consume(Context context) {
        Item item = lookahead(context);
        position++;
        return item;
    }

    private void parse() throws DecodeException {
        Item item;
        do {
            item = lex();
            items.add(item);
        } while (item.token() != Token.END);

        while (true) {
            Item next = lookahead(Context.VALUES);
            switch (next.token()) {
                case IDENTIFIER, DOES_NOT_EXIST -> {
                    parseRequirement();
                    Item after = consume(Context.VALUES);
                    if (after.token() == Token.END) {
                        return;
                    }
                    if (after.token() != Token.COMMA) {
                        throw error("found '" + after.literal() + "', expected: ',' or 'end of string'");
                    }
                    Item afterComma = lookahead(Context.VALUES);
                    if (afterComma.token() != Token.IDENTIFIER && afterComma.token() != Token.DOES_NOT_EXIST) {
                        throw error("found '" + afterComma.literal() + "', expected: identifier after ','");
                    }
                }
                case END -> {
                    return;
                }
                default -> throw error("found '" + next.literal() + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private void parseRequirement() throws DecodeException {
        Item key = consume(Context.VALUES);
        Op op = null;
        if (key.token() == Token.DOES_NOT_EXIST) {
            op = Op.DOES_NOT_EXIST;
            key = consume(Context.VALUES);
        }
        if (key.token() != Token.IDENTIFIER) {
            throw error("found '" + key.literal() + "', expected: identifier");
        }
        validateLabelKey(key.literal());
        Token next = lookahead(Context.VALUES).token();
        if ((next == Token.END || next == Token.COMMA) && op != Op.DOES_NOT_EXIST) {
            op = Op.EXISTS;
        }
        if (op == Op.EXISTS || op == Op.DOES_NOT_EXIST) {
            newRequirement(key.literal(), op, Set.of());
            return;
        }
        Item operator = consume(Context.KEY_AND_OPERATOR);
        op = switch (operator.token()) {
            case IN -> Op.IN;
            case EQUALS -> Op.EQUALS;
            case DOUBLE_EQUALS -> Op.DOUBLE_EQUALS;
            case GREATER_THAN -> Op.GREATER_THAN;
            case LESS_THAN -> Op.LESS_THAN;
            case NOT_IN -> Op.NOT_IN;
            case NOT_EQUALS -> Op.NOT_EQUALS;
            default -> throw error("found '" + operator.literal() + "', expected: an operator");
        };
        Set<String> values = op == Op.IN || op == Op.NOT_IN ? parseValues() : parseExactValue();
        newRequirement(key.literal(), op, values);
    }

    /** {@code ( value, value, ... )}; empty values are allowed. */
    private Set<String> parseValues() throws DecodeException {
        Item open = consume(Context.VALUES);
        if (open.token() != Token.OPEN_PAR) {
            throw error("found '" + open.literal() + "' expected: '('");
        }
        Item next = lookahead(Context.VALUES);
        switch (next.token()) {
            case IDENTIFIER, COMMA -> {
                Set<String> values = parseIdentifiersList();
                if (consume(Context.VALUES).token() != Token.CLOSED_PAR) {
                    throw error("found '" + next.literal() + "', expected: ')'");
                }
                return values;
            }
            case CLOSED_PAR -> {
                consume(Context.VALUES);
                return Set.of("");
            }
            default -> throw error("found '" + next.literal() + "', expected: ',', ')' or identifier");
        }
    }

    private Set<String> parseIdentifiersList() throws DecodeException {
        Set<String> values = new TreeSet<>();
        while (true) {
            Item item = consume(Context.VALUES);
            switch (item.token()) {
                case IDENTIFIER -> {
                    values.add(item.literal());
                    Item next = lookahead(Context.VALUES);
                    if (next.token() == Token.CLOSED_PAR) {
                        return values;
                    }
                    if (next.token() != Token.COMMA) {
                        throw error("found '" + next.literal() + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (values.isEmpty()) {
                        values.add(""); // "(,"
                    }
                    Token next = lookahead(Context.VALUES).token();
                    if (next == Token.CLOSED_PAR) {
                        values.add(""); // ",)"
                        return values;
                    }
                    if (next == Token.COMMA) {
                        values.add(""); // ",,"
                    }
                }
                default -> throw error("found '" + item.literal() + "', expected: ',', or identifier");
            }
        }
    }

    private Set<String> parseExactValue() throws DecodeException {
        Token next = lookahead(Context.VALUES).token();
        if (next == Token.END || next == Token.COMMA) {
            return Set.of("");
        }
        Item value = consume(Context.VALUES);
        if (value.token() != Token.IDENTIFIER) {
            throw error("found '" + value.literal() + "', expected: identifier");
        }
        return Set.of(value.literal());
    }

    /** {@code labels.NewRequirement}'s checks. */
    private static void newRequirement(String key, Op op, Set<String> values) throws DecodeException {
        validateLabelKey(key);
        boolean countOk = switch (op) {
            case IN, NOT_IN -> !values.isEmpty();
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN -> values.size() == 1;
            case EXISTS, DOES_NOT_EXIST -> values.isEmpty();
        };
        if (!countOk) {
            throw error("wrong number of values for operator " + op);
        }
        for (String value : values) {
            if (op == Op.GREATER_THAN || op == Op.LESS_THAN) {
                GoCompat.parseInt64(value);
            }
            if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                throw error("invalid label value: '" + value + "'");
            }
        }
    }

    /** {@code validation.IsLabelKey}: optional DNS-1123 subdomain prefix and '/', then a name. */
    private static void validateLabelKey(String key) throws DecodeException {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (name.indexOf('/') >= 0 || prefix.isEmpty() || prefix.length() > 253
                    || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                throw error("invalid label key: '" + key + "'");
            }
        }
        // Length first: it also bounds the regular expression's work.
        if (name.isEmpty() || name.length() > 63 || !LABEL_KEY_NAME.matcher(name).matches()) {
            throw error("invalid label key: '" + key + "'");
        }
    }

    private static DecodeException error(String message) {
        return new DecodeException("unable to parse requirement: " + message);
    }
}
