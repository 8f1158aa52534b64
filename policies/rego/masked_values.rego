# Values kubegate masks by location stay where they are masked. A ConfigMap value whose key matches
# a key pattern, a container env value whose name matches one, and a CertificateSigningRequest's
# issued certificate are masked in every answer by where they sit; a write that copies one into the
# object's metadata (a JSON patch "copy" into an annotation, a label) would show it in every later
# get, list and watch, and to tools that read the cluster without kubegate. Such a write is refused,
# dry runs included. (Secrets have their own rule, secret_values.rego, and are also masked by value.)
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

written_object_metadata := object.get(input.object, "metadata", {}) if {
	count(masked_value_sources) > 0
	is_object(input.object)
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

# Env values a key pattern names, in any container list anywhere in the object (pods, templates).
location_masked_values contains v if {
	some src in masked_value_sources
	walk(src, [path, env])
	count(path) > 0
	path[count(path) - 1] == "env"
	is_array(env)
	some e in env
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

location_masked_metadata_strings contains [path, s] if {
	some path, s in {p: v |
		walk(written_object_metadata, [p, v])
		is_string(v)
	}
	path[0] != "managedFields"
	path != ["annotations", last_applied]
}

location_masked_metadata_strings contains [[m, "(key)"], k] if {
	some m in ["labels", "annotations"]
	some k, _ in object.get(written_object_metadata, m, {})
}

deny contains refusal(concat("", [
	request.resource, " \"", object.get(written_object_metadata, "name", ""), "\" would hold a value kubegate masks in ",
	path_text(path), "; keep credentials where they are (a ConfigMap key, an env value, the CSR's status) and do not ",
	"copy or move them into metadata, where every reader would see them",
])) if {
	count(location_masked_values) > 0
	some [path, s] in location_masked_metadata_strings
	holds_location_masked_value(s)
}
