package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeSummaryTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void aWildcardRuleBehindManyHarmlessOnesComesFirstAndFlagged() {
        List<ChangeSummary.Item> s = ChangeSummary.of("update", ObjectDiffTest.role(150, false), ObjectDiffTest.role(150, true), null);
        assertThat(s).hasSize(1);
        assertThat(s.get(0).text()).isEqualTo("adds rule: * on * (apiGroups: *)");
        assertThat(s.get(0).flags()).containsExactly("*", "secrets");

        List<ChangeSummary.Item> created = ChangeSummary.of("create", null, ObjectDiffTest.role(150, true), null);
        assertThat(created).hasSize(ChangeSummary.MAX_ITEMS);
        assertThat(created.get(0).flags()).contains("*");
        assertThat(created.get(0).text()).contains("* on *");
        assertThat(created.get(1).text()).isEqualTo("adds rule: get on things0 (apiGroups: example.com)");
        assertThat(created.get(ChangeSummary.MAX_ITEMS - 1).text()).isEqualTo("… 92 more items not shown here (see the full diff)");
    }

    @Test
    void dangerousVerbsAndResourcesAreFlagged() throws Exception {
        assertThat(ChangeSummary.ruleFlags(json("{'apiGroups':['rbac.authorization.k8s.io'],'resources':['clusterroles'],'verbs':['escalate','bind']}")))
                .containsExactly("escalate", "bind");
        assertThat(ChangeSummary.ruleFlags(json("{'apiGroups':[''],'resources':['users','groups'],'verbs':['impersonate']}")))
                .containsExactly("impersonate");
        assertThat(ChangeSummary.ruleFlags(json("{'apiGroups':[''],'resources':['secrets'],'verbs':['list']}"))).containsExactly("secrets");
        assertThat(ChangeSummary.ruleFlags(json("{'apiGroups':[''],'resources':['pods/exec'],'verbs':['create']}"))).containsExactly("exec");
        assertThat(ChangeSummary.ruleFlags(json("{'apiGroups':[''],'resources':['configmaps'],'verbs':['get']}"))).isEmpty();
        assertThat(ChangeSummary.rule(json("{'apiGroups':[''],'resources':['configmaps'],'resourceNames':['a'],'verbs':['get','list']}")))
                .isEqualTo("get, list on configmaps (apiGroups: core) names: a");
        assertThat(ChangeSummary.rule(json("{'nonResourceURLs':['/metrics'],'verbs':['get']}"))).isEqualTo("get on non-resource URLs /metrics");
    }

    @Test
    void aBindingShowsItsSubjectsAndTheRulesOfTheResolvedRole() throws Exception {
        JsonNode binding = json("{'kind':'RoleBinding','metadata':{'name':'x','namespace':'default'},"
                + "'subjects':[{'kind':'User','name':'y','apiGroup':'rbac.authorization.k8s.io'}],"
                + "'roleRef':{'kind':'ClusterRole','name':'cluster-admin','apiGroup':'rbac.authorization.k8s.io'}}");
        ChangeSummary.ResolvedRole ref = ChangeSummary.roleToResolve(null, binding);
        assertThat(ref).isEqualTo(new ChangeSummary.ResolvedRole("ClusterRole", "", "cluster-admin", null, null));
        JsonNode clusterAdmin = json("{'kind':'ClusterRole','metadata':{'name':'cluster-admin'},'rules':["
                + "{'apiGroups':['*'],'resources':['*'],'verbs':['*']},{'nonResourceURLs':['*'],'verbs':['*']}]}");
        List<ChangeSummary.Item> s = ChangeSummary.of("create", null, binding,
                new ChangeSummary.ResolvedRole("ClusterRole", "", "cluster-admin", clusterAdmin, null));
        assertThat(s).extracting(ChangeSummary.Item::text).containsExactly(
                "grants ClusterRole cluster-admin in namespace default to User y",
                "grants rule: * on * (apiGroups: *)",
                "grants rule: * on non-resource URLs *");
        assertThat(s.get(0).flags()).containsExactly("cluster-admin");
        assertThat(s.get(1).flags()).contains("*");

        List<ChangeSummary.Item> unresolved = ChangeSummary.of("create", null, binding,
                new ChangeSummary.ResolvedRole("ClusterRole", "", "cluster-admin", null, "HTTP 403"));
        assertThat(unresolved.get(1).text()).isEqualTo("could not resolve ClusterRole cluster-admin (HTTP 403): the rules it grants are not shown");
        assertThat(unresolved.get(1).flags()).containsExactly("unresolved");

        JsonNode role = json("{'kind':'RoleBinding','metadata':{'name':'x','namespace':'team'},'subjects':[],"
                + "'roleRef':{'kind':'Role','name':'reader'}}");
        assertThat(ChangeSummary.roleToResolve(null, role)).isEqualTo(new ChangeSummary.ResolvedRole("Role", "team", "reader", null, null));
        assertThat(ChangeSummary.roleToResolve(null, json("{'kind':'ConfigMap'}"))).isNull();
    }

    @Test
    void privilegedPodFieldsImagesAndReplicasOfAWorkload() throws Exception {
        JsonNode before = json("{'kind':'Deployment','metadata':{'name':'web','namespace':'prod'},'spec':{'replicas':2,'template':{'spec':{"
                + "'serviceAccountName':'web','containers':[{'name':'app','image':'nginx:1.25'}]}}}}");
        JsonNode after = json("{'kind':'Deployment','metadata':{'name':'web','namespace':'prod'},'spec':{'replicas':5,'template':{'spec':{"
                + "'serviceAccountName':'admin','hostNetwork':true,'hostPID':true,'automountServiceAccountToken':true,"
                + "'securityContext':{'runAsUser':0},"
                + "'volumes':[{'name':'root','hostPath':{'path':'/'}}],"
                + "'containers':[{'name':'app','image':'evil:latest','securityContext':{'privileged':true,'capabilities':{'add':['SYS_ADMIN']}}}]}}}}");
        List<ChangeSummary.Item> s = ChangeSummary.of("update", before, after, null);
        assertThat(s).extracting(ChangeSummary.Item::text).containsExactly(
                "pod uses the node's Network namespace (hostNetwork: true)",
                "pod uses the node's PID namespace (hostPID: true)",
                "pod runs as root (securityContext.runAsUser: 0)",
                "volume root mounts the node's / (hostPath)",
                "container app is privileged",
                "container app adds capabilities SYS_ADMIN",
                "replicas: 2 → 5",
                "pod runs as service account admin",
                "automountServiceAccountToken: true",
                "container app image nginx:1.25 → evil:latest");
        // Nothing changed: nothing to say.
        assertThat(ChangeSummary.of("update", after, after, null)).isEmpty();
    }

    @Test
    void deletesSayWhatAndHowMany() throws Exception {
        List<ChangeSummary.Item> ns = ChangeSummary.of("delete", json("{'kind':'Namespace','metadata':{'name':'prod'}}"), null, null);
        assertThat(ns).extracting(ChangeSummary.Item::text).containsExactly("deletes 1 object: Namespace prod and every object in it");
        assertThat(ns.get(0).flags()).containsExactly("delete");
        assertThat(ChangeSummary.deleteCollection("pods", "team", "app=web").get(0).text())
                .isEqualTo("deletes every pods in namespace team matching app=web; how many is known only when it runs");
    }

    @Test
    void webhookConfigurationsShowWhatTheyIntercept() throws Exception {
        JsonNode after = json("{'kind':'MutatingWebhookConfiguration','metadata':{'name':'m'},'webhooks':[{'name':'w.example.com',"
                + "'rules':[{'operations':['*'],'apiGroups':[''],'apiVersions':['v1'],'resources':['secrets']}],"
                + "'clientConfig':{'url':'https://evil.example/hook'},'failurePolicy':'Ignore'}]}");
        List<ChangeSummary.Item> s = ChangeSummary.of("create", null, after, null);
        assertThat(s).hasSize(1);
        assertThat(s.get(0).text()).isEqualTo("webhook w.example.com sees * of secrets (apiGroups: core), calls https://evil.example/hook, failurePolicy Ignore");
        assertThat(s.get(0).flags()).containsExactly("*", "secrets");
    }
}
