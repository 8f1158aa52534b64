package dev.kubegate.k8s;

import static dev.kubegate.k8s.RequestInfoGoldenTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour of the port beyond Go's tables: corners of the algorithm, and kubegate's own rules. */
class RequestInfoParserTest {

    @Nested
    class Verbs {

        @ParameterizedTest(name = "{0} {1} -> {2}")
        @CsvSource({
            "OPTIONS, /api/v1/namespaces/ns/pods/p, ''",   // unknown method on a resource: no verb, as in Go
            "get,     /api/v1/namespaces/ns/pods/p, ''",   // methods are case-sensitive
            "OPTIONS, /version,                      options", // non-resource: lower-cased method
            "POST,    /apis,                         post",
            "GET,     /openapi/v3,                   get",
            "GET,     /api/v1/namespaces/ns/pods/p/log, get",
            "DELETE,  /apis/apps/v1/namespaces/ns/deployments, deletecollection",
            "PUT,     /apis/apps/v1/namespaces/ns/deployments/d/scale, update",
        })
        void methodToVerb(String method, String path, String verb) {
            assertThat(resolve(method, path).verb()).isEqualTo(verb);
        }

        @Test
        void deleteWithNameSelectorIsStillDeletecollection() {
            // Go reads the field selector only for get → list/watch.
            RequestInfo info = resolve("DELETE", "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dweb");

            assertThat(info.verb()).isEqualTo("deletecollection");
            assertThat(info.name()).isEmpty();
            assertThat(info.fieldSelector()).isEqualTo("metadata.name=web");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/api/v1/watch", "/api/v1/watch/", "/api/v1/proxy", "/apis/apps/v1/watch"})
        void specialVerbWithoutResourceIsAnError(String path) {
            // Go: "unable to determine kind and namespace from url" (the server answers 500).
            assertThatThrownBy(() -> resolve("GET", path))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("unable to determine kind and namespace");
        }

        @Test
        void proxyVerbHasNoSubresource() {
            RequestInfo info = resolve("GET", "/api/v1/proxy/nodes/n1/stats");

            assertThat(info.verb()).isEqualTo("proxy");
            assertThat(info.name()).isEqualTo("n1");
            assertThat(info.subresource()).isEmpty();
            assertThat(info.parts()).containsExactly("nodes", "n1", "stats");
        }

        @Test
        void watchViaPathKeepsSubresources() {
            RequestInfo info = resolve("GET", "/api/v1/watch/namespaces/ns/pods/p/status");

            assertThat(info.verb()).isEqualTo("watch");
            assertThat(info.subresource()).isEqualTo("status");
        }
    }

    @Nested
    class Watch {

        @ParameterizedTest(name = "watch={0} -> {1}")
        @CsvSource({
            "true,  watch", "1,  watch", "yes, watch", "'', watch", "FALSE, list", "False, list", "0, list",
            "00, watch", "fAlSe, list", "%46ALSE, list", "no, watch", "off, watch",
        })
        void convertSliceStringToBool(String value, String verb) {
            assertThat(resolve("GET", "/api/v1/pods?watch=" + value).verb()).isEqualTo(verb);
        }

        @ParameterizedTest
        @ValueSource(strings = {"watch=fal%C5%BFe", "watch=FAL%C5%BFE", "watch=fal%C5%BFe&limit=x"})
        void falseSpeltWithLongSIsRefused(String query) {
            // EqualFold (current decoding) reads it as false, ToLower (fallback, older API servers) as
            // true: list for one reader, watch for another.
            assertThatThrownBy(() -> resolve("GET", "/api/v1/pods?" + query))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("ambiguous watch value");
        }

        @Test
        void longSIsHarmlessWhereWatchIsNotRead() {
            assertThat(resolve("GET", "/api/v1/namespaces/ns/pods/p?watch=fal%C5%BFe").verb()).isEqualTo("get");
        }

        @Test
        void bareWatchParameterIsTrue() {
            assertThat(resolve("GET", "/api/v1/pods?watch").verb()).isEqualTo("watch");
        }

        @Test
        void onlyTheFirstValueCounts() {
            assertThat(resolve("GET", "/api/v1/pods?watch=false&watch=true").verb()).isEqualTo("list");
            assertThat(resolve("GET", "/api/v1/pods?watch=true&watch=false").verb()).isEqualTo("watch");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "limit=ten", "limit=", "limit=1_000", "limit=99999999999999999999", "timeoutSeconds=5s",
            "labelSelector=a%3D%3D%3Db", "fieldSelector=a", "labelSelector=x%20in%20a",
        })
        void decodeErrorFallsBackToToLower(String badParam) {
            // After a decoding error the API server re-reads watch itself, with strings.ToLower.
            assertThat(resolve("GET", "/api/v1/pods?watch=FALSE&" + badParam).verb()).isEqualTo("list");
            assertThat(resolve("GET", "/api/v1/pods?watch=yes&" + badParam).verb()).isEqualTo("watch");
            assertThat(resolve("GET", "/api/v1/pods?watch=1&" + badParam).verb()).isEqualTo("watch");
            assertThat(resolve("GET", "/api/v1/pods?" + badParam).verb()).isEqualTo("list");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"limit=500", "limit=-1", "limit=%2B7", "timeoutSeconds=0", "resourceVersion=abc",
            "resourceVersionMatch=Bogus", "continue=x", "allowWatchBookmarks=maybe", "sendInitialEvents=x",
            "labelSelector=app%20in%20(a%2Cb)%2C!legacy", "unknown=1"})
        void paramsThatDecodeKeepTheNameSelector(String param) {
            RequestInfo info = resolve("GET", "/api/v1/pods?fieldSelector=metadata.name%3Dweb&" + param);

            assertThat(info.name()).isEqualTo("web");
        }
    }

    @Nested
    class NameFromFieldSelector {

        @ParameterizedTest(name = "{0} -> \"{1}\"")
        @CsvSource({
            "metadata.name=web,                         web",
            "metadata.name==web,                        web",
            "metadata.name!=web,                        ''",
            "metadata.namespace=ns,                     ''",
            "spec.nodeName=n1%2Cmetadata.name=web,      web",
            "metadata.name=b%2Cmetadata.name=a,         a",     // Go sorts the terms first
            "metadata.name!=a%2Cmetadata.name=b,        b",
            "metadata.name=a%5C%2Cb,                    'a,b'", // escaped comma
            "metadata.name=a%2Fb,                       ''",    // not a valid path segment name
            "metadata.name=a%25b,                       ''",
            "metadata.name=..,                          ''",
            "metadata.name=,                            ''",
            "metadata.name=a%3Db,                       ''",    // unescaped '=' in value: invalid selector
            "metadata.name=a%5Cx,                       ''",    // invalid escape
        })
        void exactMatch(String selector, String name) {
            RequestInfo info = resolve("GET", "/api/v1/namespaces/ns/pods?fieldSelector=" + selector);

            assertThat(info.name()).isEqualTo(name);
            assertThat(info.resource()).isEqualTo("pods");
            assertThat(info.parts()).containsExactly("pods");
        }

        @Test
        void invalidLabelSelectorDropsTheName() {
            RequestInfo info = resolve("GET", "/api/v1/pods?fieldSelector=metadata.name%3Dweb&labelSelector=%3D%3D");

            assertThat(info.name()).isEmpty();
            assertThat(info.verb()).isEqualTo("list");
            assertThat(info.labelSelector()).isEqualTo("==");
        }
    }

    @Nested
    class Namespaces {

        @ParameterizedTest(name = "{0} {1}")
        @CsvSource(delimiter = '|', value = {
            "GET    | /api/v1/namespaces/ns                  | get    | ns | namespaces | ''       | ns",
            "PUT    | /api/v1/namespaces/ns/finalize         | update | ns | namespaces | finalize | ns",
            "GET    | /api/v1/namespaces/ns/status           | get    | ns | namespaces | status   | ns",
            "GET    | /api/v1/namespaces/ns/configmaps       | list   | ns | configmaps | ''       | ''",
            "GET    | /api/v1/namespaces/ns/status/x         | get    | ns | namespaces | status   | ns",
            "POST   | /api/v1/namespaces                     | create | '' | namespaces | ''       | ''",
            "GET    | /apis/rbac.authorization.k8s.io/v1/clusterroles/view | get | '' | clusterroles | '' | view",
        })
        void namespaceForms(String method, String path, String verb, String namespace, String resource,
                String subresource, String name) {
            RequestInfo info = resolve(method, path);

            assertThat(info.verb()).isEqualTo(verb);
            assertThat(info.namespace()).isEqualTo(namespace);
            assertThat(info.resource()).isEqualTo(resource);
            assertThat(info.subresource()).isEqualTo(subresource);
            assertThat(info.name()).isEqualTo(name);
        }
    }

    @Nested
    class StreamingPodSubresources {

        @ParameterizedTest
        @ValueSource(strings = {"exec", "attach", "portforward"})
        void webSocketGetIsCreate(String subresource) {
            RequestInfo info = RequestInfoParser.parse("GET", "/api/v1/namespaces/prod/pods/web-1/" + subresource,
                    "command=sh&stdin=true", true);

            assertThat(info.verb()).isEqualTo("create");
            assertThat(info.subresource()).isEqualTo(subresource);
            assertThat(info.name()).isEqualTo("web-1");
        }

        @Test
        void spdyPostIsCreateAsInGo() {
            RequestInfo info = RequestInfoParser.parse("POST", "/api/v1/namespaces/prod/pods/web-1/exec", null, true);

            assertThat(info.verb()).isEqualTo("create");
        }

        @ParameterizedTest
        @ValueSource(strings = {"GET", "HEAD"})
        void getWithoutUpgradeIsRefused(String method) {
            assertThatThrownBy(() -> RequestInfoParser.parse(method, "/api/v1/namespaces/prod/pods/web-1/exec", null, false))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("pods/exec must be a connection upgrade");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
            "/api/v1/namespaces/prod/pods/web-1/log",
            "/api/v1/namespaces/prod/pods/web-1/proxy",
            "/api/v1/namespaces/prod/services/web/proxy",
            "/api/v1/nodes/n1/proxy",
            "/apis/example.com/v1/namespaces/prod/pods/web-1/exec", // not the core pods resource
        })
        void otherUpgradesStayGet(String path) {
            // The API server's extra create check covers exactly pods exec, attach and portforward.
            assertThat(RequestInfoParser.parse("GET", path, null, true).verb()).isEqualTo("get");
        }
    }

    @Nested
    class Paths {

        @Test
        void segmentsArePercentDecodedAndPathIsTheDecodedPath() {
            RequestInfo info = resolve("GET", "/api/v1/namespaces/ns/configmaps/a%3Ab+c%20d");

            assertThat(info.name()).isEqualTo("a:b+c d"); // '+' is literal in paths
            assertThat(info.path()).isEqualTo("/api/v1/namespaces/ns/configmaps/a:b+c d");
        }

        @Test
        void encodedPrefixIsDecodedLikeGo() {
            assertThat(resolve("GET", "/%61pi/v1/pods").apiPrefix()).isEqualTo("api");
        }

        @Test
        void trailingSlashIsTrimmedForClassificationButKeptInPath() {
            RequestInfo info = resolve("GET", "/api/v1/namespaces/ns/pods/");

            assertThat(info.parts()).containsExactly("pods");
            assertThat(info.verb()).isEqualTo("list");
            assertThat(info.path()).isEqualTo("/api/v1/namespaces/ns/pods/");
        }

        @Test
        void shortApisPathKeepsItsPrefixAsGoDoes() {
            RequestInfo info = resolve("GET", "/apis/apps/v1");

            assertThat(info.isResourceRequest()).isFalse();
            assertThat(info.apiPrefix()).isEqualTo("apis");
        }

        @Test
        void nonUtf8NamesAreRefused() {
            assertThatThrownBy(() -> resolve("GET", "/api/v1/namespaces/ns/pods/%FF"))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("UTF-8");
        }

        @Test
        void unicodeNamesAreDecoded() {
            assertThat(resolve("GET", "/api/v1/namespaces/ns/pods/%E2%9C%93").name()).isEqualTo("\u2713");
        }
    }

    @Nested
    class Describe {

        @ParameterizedTest(name = "{1}")
        @CsvSource(delimiter = '|', value = {
            "GET    | /api/v1/namespaces/prod/pods/web-1                  | get pods \"web-1\" in namespace \"prod\"",
            "GET    | /apis/apps/v1/namespaces/prod/deployments           | list deployments.apps in namespace \"prod\"",
            "PATCH  | /apis/apps/v1/namespaces/prod/deployments/d/scale   | patch deployments.apps/scale \"d\" in namespace \"prod\"",
            "GET    | /api/v1/nodes                                       | list nodes",
            "DELETE | /api/v1/namespaces/prod                             | delete namespaces \"prod\"",
            "PUT    | /api/v1/namespaces/prod/finalize                    | update namespaces/finalize \"prod\"",
            "GET    | /version                                            | get /version",
            "OPTIONS| /api/v1/pods                                        | (no verb) pods",
            "GET    | /api/v1/namespaces/ns/configmaps/a%22b                | get configmaps \"a\\\"b\" in namespace \"ns\"",
        })
        void describe(String method, String path, String expected) {
            assertThat(resolve(method, path).describe()).isEqualTo(expected);
        }

        @Test
        void describesWebSocketExec() {
            RequestInfo info = RequestInfoParser.parse("GET", "/api/v1/namespaces/prod/pods/web-1/exec", "command=sh", true);

            assertThat(info.describe()).isEqualTo("create pods/exec \"web-1\" in namespace \"prod\"");
        }
    }

    @Test
    void recordIsImmutable() {
        RequestInfo info = resolve("GET", "/api/v1/namespaces/ns/pods/p/status");

        assertThatThrownBy(() -> info.parts().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(info).isEqualTo(resolve("GET", "/api/v1/namespaces/ns/pods/p/status"));
        assertThat(info.parts()).isEqualTo(List.of("pods", "p", "status"));
    }
}
