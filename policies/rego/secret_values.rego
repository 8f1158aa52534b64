# Secret values stay in data and stringData. A write whose result puts a value of a Secret's data
# (the base64 text or what it decodes to) or stringData into any other string of the Secret's
# metadata (a label or annotation, their keys, finalizers, generateName, ...) is refused: once
# stored there, every get, list and watch of the Secret carries it, and tools that read the cluster
# without kubegate show it in clear. (kubegate also masks such strings in answers, by value.)
#
# input.object is the object the write produces: for patches the API server's dry-run result, so a
# JSON patch that copies or moves /data/... into metadata is judged on what it would store.
# Left out: the kubectl.kubernetes.io/last-applied-configuration annotation (kubectl apply stores
# the whole Secret there by design; kubegate masks it whole in every answer) and managedFields
# (written by the API server, it holds field names, not values).
#
# Values shorter than secret_value_min_substring characters are matched only as the whole string:
# a short value ("true", "5432") occurs by chance inside unrelated names, while a copy or move
# always copies the whole value.
package kubegate

secret_value_min_substring := 8

secret_write_verbs := {"create", "update", "patch"}

written_secret := input.object if {
	is_core_resource("secrets")
	field("subresource") == ""
	secret_write_verbs[request.verb]
	is_object(input.object)
}

# The values of the Secret as written, and as it is now (input.oldObject, for updates and
# patches): a JSON patch "move" takes the value out of data, so only the old object still has it.
secret_sources contains src if {
	src := written_secret
}

secret_sources contains src if {
	written_secret
	src := input.oldObject
	is_object(src)
}

secret_values contains v if {
	some src in secret_sources
	some v in object.get(src, "data", {})
	is_string(v)
}

secret_values contains v if {
	some src in secret_sources
	some b in object.get(src, "data", {})
	is_string(b)
	base64.is_valid(b)
	v := base64.decode(b)
}

secret_values contains v if {
	some src in secret_sources
	some v in object.get(src, "stringData", {})
	is_string(v)
}

secret_values contains v if {
	some src in secret_sources
	some t in object.get(src, "stringData", {})
	is_string(t)
	v := base64.encode(t)
}

holds_secret_value(s) if {
	some v in secret_values
	v != ""
	s == v
}

holds_secret_value(s) if {
	some v in secret_values
	count(v) >= secret_value_min_substring
	contains(s, v)
}

last_applied := "kubectl.kubernetes.io/last-applied-configuration"

# [where, string] for every string of the metadata that may hold a value, and every label and
# annotation key.
secret_metadata_strings contains [path, s] if {
	some path, s in {p: v |
		walk(object.get(written_secret, "metadata", {}), [p, v])
		is_string(v)
	}
	path[0] != "managedFields"
	path != ["annotations", last_applied]
}

secret_metadata_strings contains [[m, "(key)"], k] if {
	some m in ["labels", "annotations"]
	some k, _ in object.get(object.get(written_secret, "metadata", {}), m, {})
}

path_text(path) := concat(".", ["metadata", concat(".", [t |
	some p in path
	t := step_text(p)
])])

step_text(p) := p if is_string(p)

else := format_int(p, 10) if is_number(p)

else := "?"

deny contains refusal(concat("", [
	"Secret \"", object.get(object.get(written_secret, "metadata", {}), "name", ""), "\" would hold one of its data values in ",
	path_text(path), "; Secret values stay in data or stringData. Do not copy or move a data value into metadata ",
	"(labels, annotations, finalizers): refer to the Secret by name and key instead (secretKeyRef, secret volumes), ",
	"and keep only non-secret facts in its labels and annotations",
])) if {
	some [path, s] in secret_metadata_strings
	holds_secret_value(s)
}
