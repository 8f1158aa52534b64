package dev.kubegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Go's url.ParseQuery, case by case (Go ≥ 1.17 semantics). */
class QueryParamsTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"&", "&&&"})
    void noParameters(String raw) {
        QueryParams q = QueryParams.parse(raw);

        assertThat(q.isEmpty()).isTrue();
        assertThat(q.names()).isEmpty();
        assertThat(q.first("a")).isEmpty();
        assertThat(q.all("a")).isEmpty();
    }

    @Test
    void repeatedNamesKeepTheirValuesInOrder() {
        QueryParams q = QueryParams.parse("a=1&b=x&a=2&a=3");

        assertThat(q.all("a")).containsExactly("1", "2", "3");
        assertThat(q.first("a")).contains("1");
        assertThat(q.names()).containsExactly("a", "b");
    }

    @Test
    void asMapPreservesOrderOfFirstAppearance() {
        QueryParams q = QueryParams.parse("z=1&a=2&m=3&a=4");

        assertThat(q.asMap()).containsExactly(
                Map.entry("z", List.of("1")), Map.entry("a", List.of("2", "4")), Map.entry("m", List.of("3")));
        assertThatThrownBy(() -> q.asMap().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> q.all("a").add("5")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void plusIsSpaceAndPercentTwentyIsSpace() {
        QueryParams q = QueryParams.parse("command=echo+hello%20world&k%2Bey=a%2Bb");

        assertThat(q.first("command")).contains("echo hello world");
        assertThat(q.first("k+ey")).contains("a+b");
    }

    @Test
    void emptyValuesAndMissingEquals() {
        QueryParams q = QueryParams.parse("a&b=&=c&d==e");

        assertThat(q.first("a")).contains("");
        assertThat(q.first("b")).contains("");
        assertThat(q.first("")).contains("c");   // Go keeps the empty name
        assertThat(q.first("d")).contains("=e"); // split on the first '=' only
        assertThat(q.names()).containsExactly("a", "b", "", "d");
    }

    @Test
    void emptyPairsAreSkipped() {
        assertThat(QueryParams.parse("&a=1&&b=2&").asMap())
                .containsExactly(Map.entry("a", List.of("1")), Map.entry("b", List.of("2")));
    }

    @Test
    void escapesDecodeToUtf8() {
        QueryParams q = QueryParams.parse("labelSelector=app%3Dweb%2Ctier%21%3Dfe&n=%E2%9C%93&semi=%3B&hash=%23&q=?");

        assertThat(q.first("labelSelector")).contains("app=web,tier!=fe");
        assertThat(q.first("n")).contains("\u2713");
        assertThat(q.first("semi")).contains(";"); // only a raw ';' is an error
        assertThat(q.first("hash")).contains("#");
        assertThat(q.first("q")).contains("?");
    }

    @Test
    void escapesAreCaseInsensitive() {
        assertThat(QueryParams.parse("a=%2f%2F%c3%a9").first("a")).contains("//\u00e9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%", "a=%2", "a=%G0", "a=%0G", "a%=1", "a=1&b=%x1", "%", "a=%%41"})
    void invalidEscapesAreErrors(String raw) {
        assertThatThrownBy(() -> QueryParams.parse(raw))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("invalid URL escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {";", "a=1;b=2", "a;b", "a=1&b=2;", ";a=1", "a=%41;"})
    void semicolonAnywhereIsAnError(String raw) {
        assertThatThrownBy(() -> QueryParams.parse(raw))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("';'");
    }

    @Test
    void decodedBytesMustBeUtf8() {
        assertThatThrownBy(() -> QueryParams.parse("a=%C3")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> QueryParams.parse("a=%ED%A0%80")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void controlCharactersMayBeEncodedInValues() {
        // Exec commands can carry newlines and tabs; Go decodes them and so do we.
        assertThat(QueryParams.parse("command=a%0Ab%09c%00").first("command")).contains("a\nb\tc\0");
    }

    @Test
    void valueSemantics() {
        assertThat(QueryParams.parse("a=1&b=2")).isEqualTo(QueryParams.parse("a=1&b=2"))
                .hasSameHashCodeAs(QueryParams.parse("a=1&b=2"));
        assertThat(QueryParams.parse("a=1")).isNotEqualTo(QueryParams.parse("a=2"));
        assertThat(QueryParams.parse("&")).isSameAs(QueryParams.empty());
        assertThat(QueryParams.parse("a=1").has("a")).isTrue();
        assertThat(QueryParams.parse("a=1").has("b")).isFalse();
    }
}
