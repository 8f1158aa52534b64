package kubegate_test

b64_value := base64.encode("Sup3r-S3cret-Value")

secret_write(verb, obj) := object.union(call(req(verb, "", "secrets", "default")), {"object": obj})

secret_with(metadata) := {
	"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
	"metadata": object.union({"name": "db", "namespace": "default"}, metadata),
	"data": {"password": b64_value, "short": base64.encode("on")},
}

test_plain_secret_write_allowed if {
	allowed(secret_write("create", secret_with({"labels": {"app": "web"}, "annotations": {"owner": "team-a"}})))
	allowed(secret_write("patch", secret_with({})))
}

test_base64_value_copied_into_an_annotation_denied if {
	some r in reasons(secret_write("patch", secret_with({"annotations": {"copied": b64_value}})))
	contains(r, "metadata.annotations.copied")
	contains(r, "Secret values stay in data or stringData")
	denied(secret_write("patch", secret_with({"annotations": {"copied": b64_value}})))
}

test_decoded_value_inside_a_label_or_finalizer_denied if {
	denied(secret_write("update", secret_with({"labels": {"l": "Sup3r-S3cret-Value"}})))
	denied(secret_write("patch", secret_with({"annotations": {"a": "pw=Sup3r-S3cret-Value;"}})))
	some r in reasons(secret_write("patch", secret_with({"finalizers": ["example.com/x", concat("", ["example.com/", b64_value])]})))
	contains(r, "metadata.finalizers.1")
}

test_value_as_a_key_denied if {
	denied(secret_write("patch", secret_with({"annotations": {b64_value: "x"}})))
}

test_string_data_of_a_create_is_checked if {
	obj := {"kind": "Secret", "metadata": {"name": "n", "labels": {"v": "another-long-value"}}, "stringData": {"k": "another-long-value"}}
	denied(secret_write("create", obj))
	obj2 := {"kind": "Secret", "metadata": {"name": "n", "annotations": {"v": base64.encode("another-long-value")}}, "stringData": {"k": "another-long-value"}}
	denied(secret_write("create", obj2))
}

test_short_values_only_match_whole_strings if {
	# "on" is a value; "json" and "version" contain it and stay allowed, a label that is exactly "on" is not
	allowed(secret_write("patch", secret_with({"labels": {"format": "json"}, "annotations": {"v": "version"}})))
	denied(secret_write("patch", secret_with({"labels": {"enabled": "on"}})))
}

test_last_applied_and_managed_fields_left_out if {
	allowed(secret_write("create", secret_with({
		"annotations": {"kubectl.kubernetes.io/last-applied-configuration": concat("", ["{\"data\":{\"password\":\"", b64_value, "\"}}"])},
		"managedFields": [{"manager": "kubectl", "fieldsV1": {"f:data": {"f:password": {}}}}],
	})))
}

test_reads_and_other_resources_untouched if {
	allowed(object.union(call(req("get", "", "secrets", "default")), {"object": secret_with({"annotations": {"copied": b64_value}})}))
	allowed(object.union(call(req("create", "", "configmaps", "default")), {"object": {"metadata": {"name": "c", "labels": {"a": "x"}}, "data": {"a": "x"}}}))
}

test_value_moved_out_of_data_is_found_in_the_old_object if {
	moved := {"kind": "Secret", "metadata": {"name": "db", "labels": {"leak": b64_value}}, "data": {}}
	denied(object.union(secret_write("patch", moved), {"oldObject": secret_with({})}))
	allowed(object.union(secret_write("patch", {"kind": "Secret", "metadata": {"name": "db"}, "data": {}}), {"oldObject": secret_with({})}))
}
