package dev.kubegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayTest {

    static JsonNode record(String json) throws Exception {
        return Canonical.JSON.readTree(json);
    }

    @Test
    void callsBecomeKubectlCommandsWithDecisionAndResult() throws Exception {
        assertThat(Replay.line(record("""
                {"type":"call","time":"T","request":{"resourceRequest":true,"verb":"list","resource":"pods","apiGroup":"",
                 "namespace":"prod","name":"","subresource":"","query":{"labelSelector":["app=web"]}},
                 "decision":{"result":"allow","reasons":[]},"response":{"code":200,"complete":true}}""")))
                .isEqualTo("T  kubectl get pods -l app=web -n prod   allow → 200");
        assertThat(Replay.kubectl(record("""
                {"request":{"resourceRequest":true,"verb":"create","resource":"pods","subresource":"exec","apiGroup":"",
                 "namespace":"prod","name":"web","query":{"command":["sh","-c","echo $HOME"],"stdin":["true"],"tty":["true"]}}}""")))
                .isEqualTo("kubectl exec -i -t web -- sh -c 'echo $HOME' -n prod");
        assertThat(Replay.kubectl(record("""
                {"client":{"kubectlCommand":"kubectl apply"},"request":{"resourceRequest":true,"verb":"patch","resource":"deployments",
                 "apiGroup":"apps","subresource":"","namespace":"prod","name":"web","query":{}}}""")))
                .isEqualTo("kubectl apply -f - # deployments.apps/web -n prod");
        assertThat(Replay.line(record("""
                {"type":"call","time":"T","request":{"resourceRequest":true,"verb":"delete","resource":"namespaces","apiGroup":"",
                 "namespace":"","name":"prod","subresource":""},"decision":{"result":"approval","reasons":["deleting a namespace needs approval"]},
                 "response":{"code":403,"reason":"Forbidden","complete":true}}""")))
                .isEqualTo("T  kubectl delete namespaces prod   approval → 403 Forbidden: deleting a namespace needs approval");
        assertThat(Replay.line(record("""
                {"type":"intent","outcome":"unknown","time":"T","request":{"resourceRequest":true,"verb":"create","resource":"configmaps",
                 "apiGroup":"","namespace":"a","name":"","subresource":""},"decision":{"result":"allow","reasons":[]}}""")))
                .contains("outcome unknown");
    }
}
