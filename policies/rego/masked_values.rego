# Values kubegate masks by location stay where they are masked. A ConfigMap value whose key matches
# a key pattern, a container env value whose name matches one, and a CertificateSigningRequest's
# issued certificate are masked in every answer by where they sit; a write that copies one anywhere
# else in the object (a JSON patch "copy" into an annotation, another data key, a container's args,
# another env entry, a template's metadata) would show it in every later get, list and watch, and to
# tools that read the cluster without kubegate. Such a write is refused, dry runs included. (Secrets
# have their own rule, secret_values.rego: all their data is masked, and by value too.)
#
# The values come from the object the write produces (input.object: for patches the API server's
# dry-run result) and from the object as it is now (input.oldObject): a JSON patch "move" takes the
# value out of its place. Same whole-string rule for short values as for Secrets.
package kubegate

masked_value_write_verbs := {"create", "update", "patch"}

masked_value_sources contains src if {
	request.isResourceRequest
	masked_value_write_verbs[request.verb]
	field("subresource") == ""
	some src in [input.object, input.oldObject]
	is_object(src)
}

key_pattern_matches(name) if {
	some p in mask_decision.keyPatterns
	regex.match(p, name)
}

# ConfigMap values under a key a key pattern matches.
location_masked_values contains v if {
	is_core_resource("configmaps")
	some src in masked_value_sources
	some k, v in object.get(src, "data", {})
	is_string(v)
	key_pattern_matches(k)
}

# A CSR's issued certificate (base64 of the PEM, as the answer carries it).
location_masked_values contains v if {
	request.apiGroup == "certificates.k8s.io"
	request.resource == "certificatesigningrequests"
	some src in masked_value_sources
	v := object.get(object.get(src, "status", {}), "certificate", "")
	is_string(v)
	v != ""
}

# Env values a key pattern names, in the containers of the pod spec the write carries (pods and
# every workload template: input.podSpec).
location_masked_values contains v if {
	input.podSpec
	some src in masked_value_sources
	spec := object.get(src, split(pod_path, "."), {})
	some list in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(spec, list, [])
	some e in object.get(c, "env", [])
	key_pattern_matches(object.get(e, "name", ""))
	v := object.get(e, "value", "")
	is_string(v)
	v != ""
}

holds_location_masked_value(s) if {
	some v in location_masked_values
	s == v
}

holds_location_masked_value(s) if {
	some v in location_masked_values
	count(v) >= secret_value_min_substring
	contains(s, v)
}

# The masked locations of the written object: where a value may be.
location_masked_path(path) if {
	is_core_resource("configmaps")
	count(path) == 2
	path[0] in {"data", "binaryData"}
	key_pattern_matches(path[1])
}

location_masked_path(path) if {
	request.apiGroup == "certificates.k8s.io"
	path == ["status", "certificate"]
}

location_masked_path(path) if {
	count(path) >= 3
	path[count(path) - 1] == "value"
	path[count(path) - 3] == "env"
	env := object.get(input.object, array.slice(path, 0, count(path) - 1), {})
	key_pattern_matches(object.get(env, "name", ""))
}

# Where a value may not be: every other string of the written object, and label and annotation
# keys anywhere (the object's, a template's). Left out: managedFields (field names) and
# last-applied-configuration (kubegate masks what it holds like the object itself).
location_masked_foreign_strings contains [path, s] if {
	count(location_masked_values) > 0
	walk(input.object, [path, s])
	is_string(s)
	not location_masked_path(path)
	not managed_or_last_applied(path)
}

location_masked_foreign_strings contains [array.concat(path, ["(key)"]), k] if {
	count(location_masked_values) > 0
	walk(input.object, [path, m])
	count(path) > 0
	path[count(path) - 1] in {"labels", "annotations"}
	is_object(m)
	some k, _ in m
}

managed_or_last_applied(path) if {
	some i
	path[i] == "managedFields"
}

managed_or_last_applied(path) if {
	count(path) >= 2
	path[count(path) - 2] == "annotations"
	path[count(path) - 1] == last_applied
}

object_path_text(path) := concat(".", [t |
	some p in path
	t := step_text(p)
])

deny contains refusal(concat("", [
	request.resource, " \"", object.get(object.get(input.object, "metadata", {}), "name", ""),
	"\" would hold a value kubegate masks in ", object_path_text(path),
	"; keep credentials where they are (a ConfigMap key, an env value, the CSR's status) and do not ",
	"copy or move them elsewhere in the object, where every reader would see them",
])) if {
	some [path, s] in location_masked_foreign_strings
	holds_location_masked_value(s)
}
