package kubegate_test

cm_token := "CM-TOKEN-VALUE-4242"

cm_write(verb, obj, old) := object.union(call(req(verb, "", "configmaps", "default")), {"object": obj, "oldObject": old})

configmap(metadata) := {
	"apiVersion": "v1", "kind": "ConfigMap",
	"metadata": object.union({"name": "tokens", "namespace": "default"}, metadata),
	"data": {"api_token": cm_token, "color": "blue"},
}

test_plain_configmap_write_allowed if {
	allowed(cm_write("patch", configmap({"labels": {"color": "blue"}}), configmap({})))
}

test_key_pattern_value_copied_into_an_annotation_denied if {
	some r in reasons(cm_write("patch", configmap({"annotations": {"x": cm_token}}), configmap({})))
	contains(r, "metadata.annotations.x")
	contains(r, "would hold a value kubegate masks")
}

test_moved_value_found_through_the_old_object if {
	moved := json.remove(configmap({"labels": {"x": cm_token}}), ["data/api_token"])
	denied(cm_write("patch", moved, configmap({})))
}

test_values_of_other_keys_may_be_copied if {
	allowed(cm_write("patch", configmap({"labels": {"x": "blue"}}), configmap({})))
}

csr_cert := base64.encode("-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n")

test_csr_certificate_copied_into_an_annotation_denied if {
	old := {"kind": "CertificateSigningRequest", "metadata": {"name": "c"}, "status": {"certificate": csr_cert}}
	new := json.patch(old, [{"op": "add", "path": "/metadata/annotations", "value": {"c": csr_cert}}])
	r := object.union(call(req("patch", "certificates.k8s.io", "certificatesigningrequests", "")), {"object": new, "oldObject": old})
	denied(r)
}

test_env_value_named_like_a_credential_copied_into_a_label_denied if {
	pod := {"kind": "Pod", "metadata": {"name": "p", "namespace": "default", "labels": {"leak": "db-Passw0rd-1234"}},
		"spec": {"containers": [{"name": "c", "image": "nginx", "env": [{"name": "DB_PASSWORD", "value": "db-Passw0rd-1234"}]}]}}
	r := object.union(call(req("patch", "", "pods", "default")), {"object": pod, "oldObject": pod, "podSpec": {"path": "spec"}})
	denied(r)
}

test_key_pattern_value_copied_into_another_data_key_denied if {
	copied := json.patch(configmap({}), [{"op": "add", "path": "/data/plaincopy", "value": cm_token}])
	some r in reasons(cm_write("patch", copied, configmap({})))
	contains(r, "data.plaincopy")
}

env_spec := {"containers": [{"name": "c", "image": "nginx", "args": ["x"], "env": [{"name": "DB_PASSWORD", "value": "EnvPassw0rd-Value-777"}, {"name": "PLAIN", "value": "p"}]}]}

env_dep(ann) := {"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
	"spec": {"template": {"metadata": {"annotations": ann}, "spec": env_spec}}}

env_dep_patch(obj) := object.union(call(req("patch", "apps", "deployments", "default")),
	{"object": obj, "oldObject": env_dep({}), "podSpec": {"path": "spec.template.spec"}})

test_env_value_copied_into_args_another_env_or_template_metadata_denied if {
	allowed(env_dep_patch(env_dep({})))
	denied(env_dep_patch(json.patch(env_dep({}), [{"op": "replace", "path": "/spec/template/spec/containers/0/args/0", "value": "EnvPassw0rd-Value-777"}])))
	denied(env_dep_patch(json.patch(env_dep({}), [{"op": "replace", "path": "/spec/template/spec/containers/0/env/1/value", "value": "EnvPassw0rd-Value-777"}])))
	denied(env_dep_patch(env_dep({"leak": "EnvPassw0rd-Value-777"})))
}
