package dev.kubegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The selector ports against cases of apimachinery's {@code labels/selector_test.go} and
 * {@code fields/selector_test.go} (test names in comments), plus corners of the lexer.
 */
class SelectorTest {

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        // labels TestSelectorParse testGoodStrings
        "x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5",
        // labels TestSetSelectorParser (valid rows)
        "\rx", "this-is-a-dns.domain.com/key-with-dash", "this-is-another-dns.domain.com/key-with-dash in (so,what)",
        "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "foo  in\t (abc)", "x notin\n (abc)",
        "x  notin\t\t\t(abc,def)", "x in (abc,def)", "x in (abc,)", "x in ()", "x notin (abc,def),bar,z in (),w",
        "x,y in (a)", "x=a", "x=a,y!=b", "x=a,y!=b,z in (h,i,j)", "x in (,a)", "x in (a,,b)",
        // TestSelectorMatches: in and notin are identifiers where a key or value is expected
        "notin=in", "in", "notin in (in,notin)",
        // TestRequirementConstructor (valid rows)
        "1foo in (bar)", "1234 in (bar)", "y>1", "z<6",
        // lexer corners: a NUL where a token may start ends the input
        "x=a \0,,,", "\0!!!",
    })
    void validLabelSelectors(String selector) {
        assertThatCode(() -> LabelSelector.validate(selector)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        // labels TestSelectorParse testBadStrings
        "x=a||y==b", "x==a==b", "!x=a", "x<a",
        // labels TestSetSelectorParser (invalid rows)
        "x=a,", "x in (a", "x in (a b)", "x in a", "x notin ( abc )y", "x in (a)!", "x in (a)=",
        // TestRequirementConstructor (invalid rows)
        "foo>bar", "barz<blah", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        // keys and values
        "-x", "x-", "a/b/c", "/x", "Example.com/x", "x=-a", "x=a!", "x=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", "x>1.5", "x>-1",
        // a NUL inside an identifier only ends that identifier
        "x=a\0,,,",
        "x>99999999999999999999", ",x", "x,", "x in ((a))", "=", "!", "(", "x in (a)(",
    })
    void invalidLabelSelectors(String selector) {
        assertThatThrownBy(() -> LabelSelector.validate(selector)).isInstanceOf(DecodeException.class);
    }

    static Stream<Arguments> validFieldSelectors() {
        return Stream.of(
                // fields TestSelectorParse testGoodStrings
                arguments("x=a,y=b,z=c", ""),
                arguments("", ""),
                arguments("x!=a,y=b", ""),
                arguments("x=a||y\\=b", ""),
                arguments("x=a\\=\\=b", ""),
                // RequiresExactMatch, with TestSplitTerms / TestEscapeValue escapes
                arguments("test=b", "b"),
                arguments("test==b", "b"),
                arguments("test!=b", ""),
                arguments("a=b,test=c", "c"),
                arguments("test=\\,\\=\\\\", ",=\\"),
                arguments("test=\\,,k2=v2", ","),
                arguments("\ud568=\uc218,test=\ubaa9", "\ubaa9"),
                arguments("=,test=x", "x"),
                arguments("test=,test=b", ""));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @MethodSource
    void validFieldSelectors(String selector, String testValue) throws DecodeException {
        assertThat(FieldSelector.parse(selector).requiresExactMatch("test").orElse("")).isEqualTo(testValue);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
        // fields TestSelectorParse testBadStrings
        "x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x",
        // TestEscapeValue invalid sequences, as values
        "x=\\", "x=\\\\\\", "x=\\a",
    })
    void invalidFieldSelectors(String selector) {
        assertThatThrownBy(() -> FieldSelector.parse(selector)).isInstanceOf(DecodeException.class);
    }
}
