package dev.kubegate.k8s;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content-Type as the API server reads it (decoding reference, section 2): Go's mime.ParseMediaType
 * for POST/PUT/DELETE, a cut at ';' and an exact match for PATCH. {@code <none>} is no header;
 * {@code 415} is what the API server answers 415 to.
 */
class MediaTypeTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "<none>", textBlock = """
            POST   | <none>                                        | application/json
            PUT    | ''                                            | application/json
            DELETE | <none>                                        | application/json
            POST   | application/json                              | application/json
            POST   | Application/JSON                              | application/json
            POST   | '  application/json  '                        | application/json
            POST   | application/json; charset=utf-8               | application/json
            POST   | application/json;charset=latin1               | application/json
            POST   | application/json ; charset=utf-8              | application/json
            POST   | 'application/json; charset="utf-8"'           | application/json
            POST   | application/json;                             | application/json
            POST   | application/json; x                           | 415
            POST   | application/json; x=                          | 415
            POST   | application/json; a=1; a=2                   | 415
            POST   | application/json, text/plain                  | 415
            POST   | application/json charset=utf-8                | 415
            POST   | application                                   | 415
            POST   | application/                                  | 415
            POST   | application/yaml                              | application/yaml
            PUT    | application/vnd.kubernetes.protobuf           | application/vnd.kubernetes.protobuf
            POST   | application/cbor                              | 415
            POST   | text/plain                                    | 415
            POST   | application/merge-patch+json                  | 415
            DELETE | application/yaml; charset=utf-8               | application/yaml
            PATCH  | <none>                                        | 415
            PATCH  | application/merge-patch+json                  | application/merge-patch+json
            PATCH  | application/merge-patch+json; charset=utf-8   | application/merge-patch+json
            PATCH  | application/merge-patch+json;charset=utf-8    | application/merge-patch+json
            PATCH  | application/merge-patch+json ;charset=utf-8   | 415
            PATCH  | Application/merge-patch+json                  | 415
            PATCH  | ' application/merge-patch+json'               | 415
            PATCH  | application/merge-patch+json; x               | application/merge-patch+json
            PATCH  | application/strategic-merge-patch+json        | application/strategic-merge-patch+json
            PATCH  | application/json-patch+json                   | application/json-patch+json
            PATCH  | application/apply-patch+yaml                  | application/apply-patch+yaml
            PATCH  | application/json                              | 415
            PATCH  | application/yaml                              | 415
            PATCH  | ;application/merge-patch+json                 | 415
            """)
    void readAsTheApiServerReadsIt(String method, String contentType, String expected) {
        String read = MediaType.of(method, contentType).orElse("415");
        assertThat(read).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "<none>", textBlock = """
            PATCH | application/strategic-merge-patch+json | true  | application/strategic-merge-patch+json
            PUT   | <none>                                 | true  | application/json
            PUT   | text/plain                             | true  | unsupported:text/plain
            DELETE| application/yaml                       | false | ''
            """)
    void digestForm(String method, String contentType, boolean hasBody, String expected) {
        assertThat(MediaType.digestForm(method, contentType, hasBody)).isEqualTo(expected);
    }
}
