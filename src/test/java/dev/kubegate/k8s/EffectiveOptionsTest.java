package dev.kubegate.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where the API server reads a write's options (decoding reference, sections 1, 3 and 4): the table
 * gives method, path, raw query, body ({@code -} none, {@code opaque} a body kubegate does not
 * decode, else JSON) and the dry run kubegate must report, with where the options come from.
 */
class EffectiveOptionsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static EffectiveOptions derive(String method, String path, String query, String body) throws Exception {
        RequestInfo info = RequestInfoParser.parse(method, path, query, false);
        EffectiveOptions.Body b = body.equals("-") ? EffectiveOptions.Body.NONE
                : body.equals("opaque") ? EffectiveOptions.Body.OPAQUE
                : EffectiveOptions.Body.json(JSON.readTree(body));
        return EffectiveOptions.derive(info, QueryParams.parse(query), b);
    }

    @ParameterizedTest(name = "{0} {1}?{2} body {3} -> dryRun={4} ({5})")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /api/v1/namespaces/d/configmaps                    | dryRun=All                 | {}                        | true  | query
            POST   | /api/v1/namespaces/d/configmaps                    | dryRun=All&dryRun=All      | {}                        | true  | query
            POST   | /api/v1/namespaces/d/configmaps                    | dryRun=All&dryRun=x        | {}                        | false | query
            POST   | /api/v1/namespaces/d/configmaps                    | dry%52un=All               | {}                        | true  | query
            POST   | /api/v1/namespaces/d/configmaps                    | dryrun=All                 | {}                        | false | query
            POST   | /api/v1/namespaces/d/configmaps                    | dryRun=all                 | {}                        | false | query
            POST   | /api/v1/namespaces/d/configmaps                    | dryRun=                    | {}                        | false | query
            POST   | /api/v1/namespaces/d/configmaps                    | ''                         | {}                        | false | query
            PUT    | /api/v1/namespaces/d/configmaps/c                  | dryRun=All                 | {}                        | true  | query
            PATCH  | /api/v1/namespaces/d/configmaps/c                  | dryRun=All                 | opaque                    | true  | query
            DELETE | /api/v1/namespaces/x                               | dryRun=All                 | -                         | true  | query
            DELETE | /api/v1/namespaces/x                               | dryRun=All                 | {}                        | false | body
            DELETE | /api/v1/namespaces/x                               | dryRun=All                 | {"kind":"DeleteOptions","apiVersion":"v1"} | false | body
            DELETE | /api/v1/namespaces/x                               | ''                         | {"dryRun":["All"]}        | true  | body
            DELETE | /api/v1/namespaces/x                               | ''                         | {"dryRun":["All","x"]}    | false | body
            DELETE | /api/v1/namespaces/x                               | ''                         | {"dryRun":"All"}          | false | body
            DELETE | /api/v1/namespaces/x                               | ''                         | {"DryRun":["All"]}        | false | body
            DELETE | /api/v1/namespaces/x                               | dryRun=All                 | opaque                    | false | unknown
            DELETE | /api/v1/namespaces/d/configmaps                    | dryRun=All                 | -                         | true  | query
            DELETE | /api/v1/namespaces/d/configmaps                    | dryRun=All                 | {}                        | false | body
            POST   | /api/v1/namespaces/d/serviceaccounts/sa/token      | dryRun=All                 | {}                        | false | query
            POST   | /apis/authentication.k8s.io/v1/tokenreviews        | dryRun=All                 | {}                        | false | query
            POST   | /apis/authorization.k8s.io/v1/subjectaccessreviews | dryRun=All                 | {}                        | false | query
            POST   | /apis/authorization.k8s.io/v1/namespaces/d/localsubjectaccessreviews | dryRun=All | {}                        | false | query
            POST   | /apis/authorization.k8s.io/v1/selfsubjectaccessreviews | dryRun=All             | {}                        | false | query
            POST   | /apis/authorization.k8s.io/v1/selfsubjectrulesreviews | dryRun=All              | {}                        | false | query
            POST   | /api/v1/namespaces/d/pods/p/eviction               | dryRun=All                 | {}                        | true  | query
            POST   | /api/v1/namespaces/d/pods/p/eviction               | ''                         | {"deleteOptions":{"dryRun":["All"]}} | true | body
            POST   | /api/v1/namespaces/d/pods/p/eviction               | dryRun=All                 | {"deleteOptions":{}}      | true  | body
            POST   | /api/v1/namespaces/d/pods/p/eviction               | ''                         | {"deleteOptions":{}}      | false | body
            POST   | /api/v1/namespaces/d/pods/p/eviction               | dryRun=All                 | opaque                    | true  | unknown
            POST   | /api/v1/namespaces/d/pods/p/eviction               | ''                         | opaque                    | false | unknown
            POST   | /api/v1/namespaces/d/pods/p/binding                | dryRun=All                 | {}                        | true  | query
            POST   | /api/v1/namespaces/d/bindings                      | dryRun=All                 | {}                        | true  | query
            PUT    | /api/v1/namespaces/d/pods/p/status                 | dryRun=All                 | {}                        | true  | query
            PATCH  | /apis/apps/v1/namespaces/d/deployments/w/scale     | dryRun=All                 | opaque                    | true  | query
            PATCH  | /api/v1/namespaces/d/pods/p/resize                 | dryRun=All                 | opaque                    | false | query
            POST   | /api/v1/namespaces/d/pods/p/exec                   | dryRun=All&command=sh      | -                         | false | none
            GET    | /api/v1/namespaces/d/pods                          | dryRun=All                 | -                         | false | none
            """)
    void dryRunIsReadWhereTheApiServerReadsIt(String method, String path, String query, String body, boolean dryRun,
                                              String source) throws Exception {
        EffectiveOptions o = derive(method, path, query, body);
        assertThat(o.dryRun()).isEqualTo(dryRun);
        assertThat(o.source().label()).isEqualTo(source);
    }

    @Test
    void deleteOptionsComeFromTheBodyOrTheQueryNeverBoth() throws Exception {
        EffectiveOptions q = derive("DELETE", "/api/v1/namespaces/d/pods/p",
                "gracePeriodSeconds=0&gracePeriodSeconds=30&propagationPolicy=Foreground&uid=u1&resourceVersion=7&orphanDependents=FALSE", "-");
        assertThat(q.gracePeriodSeconds()).isZero();
        assertThat(q.propagationPolicy()).isEqualTo("Foreground");
        assertThat(q.preconditionUid()).isEqualTo("u1");
        assertThat(q.preconditionResourceVersion()).isEqualTo("7");
        assertThat(q.orphanDependents()).isFalse();
        EffectiveOptions b = derive("DELETE", "/api/v1/namespaces/d/pods/p", "gracePeriodSeconds=0&propagationPolicy=Foreground",
                "{\"propagationPolicy\":\"Background\",\"preconditions\":{\"resourceVersion\":\"9\"}}");
        assertThat(b.gracePeriodSeconds()).isNull();
        assertThat(b.propagationPolicy()).isEqualTo("Background");
        assertThat(b.preconditionResourceVersion()).isEqualTo("9");
        // Eviction: the body's deleteOptions, the query's grace period is not read.
        EffectiveOptions e = derive("POST", "/api/v1/namespaces/d/pods/p/eviction", "gracePeriodSeconds=5",
                "{\"deleteOptions\":{\"gracePeriodSeconds\":60}}");
        assertThat(e.gracePeriodSeconds()).isEqualTo(60);
        assertThat(derive("PATCH", "/api/v1/namespaces/d/configmaps/c", "fieldManager=a&fieldManager=b", "opaque").fieldManager())
                .isEqualTo("a");
    }

    @Test
    void goBooleansAndIntegers() throws Exception {
        assertThat(derive("DELETE", "/api/v1/namespaces/d/pods/p", "orphanDependents=", "-").orphanDependents()).isTrue();
        assertThat(derive("DELETE", "/api/v1/namespaces/d/pods/p", "orphanDependents=no", "-").orphanDependents()).isTrue();
        assertThat(derive("DELETE", "/api/v1/namespaces/d/pods/p", "orphanDependents=0", "-").orphanDependents()).isFalse();
        assertThat(derive("DELETE", "/api/v1/namespaces/d/pods/p", "gracePeriodSeconds=%2B5", "-").gracePeriodSeconds()).isEqualTo(5);
        for (String bad : new String[] {"gracePeriodSeconds=", "gracePeriodSeconds=1.5", "gracePeriodSeconds=%D9%A1"}) {
            assertThatThrownBy(() -> derive("DELETE", "/api/v1/namespaces/d/pods/p", bad, "-"))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("gracePeriodSeconds");
        }
    }

    @Test
    void aDeleteWithoutBodyBecomesTheBodyThatMeansTheSame() throws Exception {
        assertThat(EffectiveOptions.deleteOptionsBody(QueryParams.parse(
                "dryRun=All&dryRun=x&gracePeriodSeconds=10&propagationPolicy=Orphan&uid=u&resourceVersion=&pretty=true")).toString())
                .isEqualTo("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":10,"
                        + "\"preconditions\":{\"uid\":\"u\"},\"propagationPolicy\":\"Orphan\",\"dryRun\":[\"All\",\"x\"]}");
        assertThat(EffectiveOptions.deleteOptionsBody(QueryParams.empty()).toString())
                .isEqualTo("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"}");
    }
}
