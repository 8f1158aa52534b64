package dev.kubegate.cli;

/** Old option spellings still accepted (hidden from help): each use says what replaces it, on stderr. */
final class Deprecation {

    private Deprecation() {
    }

    static void warn(String old, String replacement) {
        System.err.println("kubegate: " + old + " is deprecated; use " + replacement);
    }
}
