package dev.kubegate.identity;

/** Test access to {@link TokenFile#parse}. */
public final class TokenFileFixture {

    private TokenFileFixture() {
    }

    public static TokenFile parse(String csv) {
        return TokenFile.parse(csv, "test");
    }
}
