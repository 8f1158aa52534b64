package dev.kubegate.masking;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.kubegate.masking.MaskingFixtures.j;
import static dev.kubegate.masking.MaskingFixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;

class PodSecretsTest {

    @Test
    void everyWayAPodReadsASecretIsFound() {
        var pod = tree(j("""
                {'spec': {
                  'containers': [{'name': 'a',
                    'env': [{'name': 'X', 'valueFrom': {'secretKeyRef': {'name': 'env-ref', 'key': 'k'}}},
                            {'name': 'Y', 'valueFrom': {'configMapKeyRef': {'name': 'not-a-secret', 'key': 'k'}}},
                            {'name': 'Z', 'value': 'plain'}],
                    'envFrom': [{'secretRef': {'name': 'env-from'}}, {'configMapRef': {'name': 'cm'}}]}],
                  'initContainers': [{'name': 'init', 'envFrom': [{'secretRef': {'name': 'init-from', 'optional': true}}]}],
                  'ephemeralContainers': [{'name': 'debug', 'env': [{'name': 'D', 'valueFrom': {'secretKeyRef': {'name': 'ephemeral-ref', 'key': 'k'}}}]}],
                  'volumes': [{'name': 'v1', 'secret': {'secretName': 'volume'}},
                              {'name': 'v2', 'projected': {'sources': [{'secret': {'name': 'projected'}},
                                                                      {'serviceAccountToken': {'path': 'token'}},
                                                                      {'configMap': {'name': 'cm2'}}]}},
                              {'name': 'v3', 'emptyDir': {}}]}}"""));
        assertThat(PodSecrets.referencedBy(pod)).containsExactly(
                "env-from", "env-ref", "ephemeral-ref", "init-from", "projected", "volume");
        assertThat(PodSecrets.referencedBy(tree("{}"))).isEmpty();
    }

    @Test
    void valuesAreDecodedAndMultiLineValuesGiveTheirLinesToo() {
        String file = "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n";
        var secret = tree(j("{'data': {'a': '" + b64("hunter2-value") + "', 'file': '" + b64(file) + "'},"
                + " 'stringData': {'s': 'string-value'}}"));
        assertThat(PodSecrets.values(secret)).extracting(v -> new String(v, StandardCharsets.UTF_8))
                .containsExactly("hunter2-value", file, "[default]", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "string-value");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
