package dev.kubegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every non-canonical form the parser refuses, each with the problem named in the message. */
class RequestRefusalTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // not an origin-form path
        "api/v1/pods                          | must start with '/'",
        "*                                    | must start with '/'",
        "http://host/api/v1/pods              | must start with '/'",
        // empty segments; one trailing '/' is fine
        "//api/v1/pods                        | empty segment",
        "/api//v1/pods                        | empty segment",
        "/api/v1/pods//                       | empty segment",
        "//                                   | empty segment",
        // dot segments, literal or encoded
        "/api/v1/namespaces/ns/pods/..        | dot segment",
        "/api/v1/namespaces/../pods           | dot segment",
        "/api/v1/./pods                       | dot segment",
        "/api/v1/namespaces/%2e%2E/pods       | dot segment",
        "/api/v1/namespaces/.%2e/secrets      | dot segment",
        "/api/v1/%2E/pods                     | dot segment",
        "/..                                  | dot segment",
        // encoded separators
        "/api/v1/namespaces/a%2Fb/pods        | encoded '/'",
        "/api/v1/namespaces/a%2fb/pods        | encoded '/'",
        "/api/v1/namespaces/a%5Cb/pods        | encoded '\\'",
        "/api/v1/namespaces/a%5cb/pods        | encoded '\\'",
        // invalid percent escapes
        "/api/v1/namespaces/a%zzb/pods        | invalid URL escape \"%zz\"",
        "/api/v1/namespaces/a%2/pods          | invalid URL escape \"%2\"",
        "/api/v1/pods%                        | invalid URL escape \"%\"",
        "/api/v1/pods%4                       | invalid URL escape \"%4\"",
        // control characters once decoded, and bytes that are no UTF-8
        "/api/v1/namespaces/a%00b/pods        | control character",
        "/api/v1/namespaces/a%0Ab/pods        | control character",
        "/api/v1/namespaces/a%7Fb/pods        | control character",
        "/api/v1/namespaces/a%C2%85b/pods     | control character",
        "/api/v1/namespaces/%C0%AE%C0%AE/pods | UTF-8",
        "/api/v1/namespaces/%E2%82/pods       | UTF-8",
        // raw characters that must be percent-encoded
        "/api/v1/pods#frag                    | must be percent-encoded: '#'",
        "/api/v1/pods?x                       | must be percent-encoded: '?'",
        "/api\\v1/pods                        | must be percent-encoded: '\\'",
        "\"/api/v1/pods x\"                   | must be percent-encoded: U+0020",
    })
    void refusedPaths(String rawPath, String message) {
        assertThatThrownBy(() -> RequestInfoParser.parse("GET", rawPath, null, false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, 0xe9, 0x2028, 0xff0f})
    void refusedRawCharacters(int c) {
        String rawPath = "/api/v1/namespaces/a" + (char) c + "b/pods";

        assertThatThrownBy(() -> RequestInfoParser.parse("GET", rawPath, null, false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("must be percent-encoded");
    }

    @ParameterizedTest(name = "?{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "a=1;b=2                  | ';'",
        "watch=true;              | ';'",
        "labelSelector=a;b        | ';'",
        "x=%zz                    | invalid URL escape \"%zz\"",
        "%=1                      | invalid URL escape \"%\"",
        "x=%FF                    | UTF-8",
        "x=a#b                    | '#'",
        "\"x=a b\"                | U+0020",
    })
    void refusedQueries(String rawQuery, String message) {
        assertThatThrownBy(() -> RequestInfoParser.parse("GET", "/api/v1/pods", rawQuery, false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " GET", "GE T", "G\u00c9T", "GET\n", "(GET)"})
    void refusedMethods(String method) {
        assertThatThrownBy(() -> RequestInfoParser.parse(method, "/api/v1/pods", null, false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("invalid HTTP method");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/", "/api/v1/pods/", "/api/v1/namespaces/ns/pods/a.b", "/api/v1/namespaces/ns/pods/...",
        "/api/v1/namespaces/ns/pods/.hidden", "/api/v1/namespaces/ns/pods/%2e%2e%2e", "/api/v1/pods/a%252Fb",
        "/api/v1/namespaces/ns/services/s:http/proxy/x", "/api/v1/pods/%25",
    })
    void acceptedLookalikes(String rawPath) {
        // Neither "." nor "..", no encoded separator: these are ordinary (if odd) names.
        assertThat(RequestInfoParser.parse("GET", rawPath, "a=%3B", false)).isNotNull();
    }
}
