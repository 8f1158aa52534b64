# Inputs shared by the tests: an authenticated agent and requests built the way the gateway
# builds them (docs/policy-input.md).
package kubegate_test

agent := {"id": "static:alice", "name": "alice", "kind": "static", "groups": ["agents"]}

stats := {"requests": 12, "mutations": 3, "deletes": 1, "denied": 0}

# A resource request; path and apiVersion do not matter to the default pack.
req(verb, group, resource, namespace) := {
	"verb": verb, "apiGroup": group, "apiVersion": "v1", "resource": resource, "subresource": "",
	"namespace": namespace, "name": "", "isResourceRequest": true, "path": "/", "query": {}, "dryRun": false,
}

sub(verb, resource, subresource, namespace) := object.union(req(verb, "", resource, namespace), {"subresource": subresource})

call(request) := {"principal": agent, "request": request, "stats": stats, "now": "2026-11-26T08:00:00Z"}

# A write whose object has the pod spec at path.
pod_call(verb, group, resource, namespace, path, spec) := object.union(call(req(verb, group, resource, namespace)), {
	"object": object.union({"metadata": {"name": "x", "namespace": namespace}}, nest(split(path, "."), spec)),
	"podSpec": {"path": path},
})

# nest(["a", "b"], v) is {"a": {"b": v}}.
nest(keys, v) := json.patch({}, [op |
	some i in numbers.range(0, count(keys) - 1)
	op := {"op": "add", "path": concat("/", array.concat([""], array.slice(keys, 0, i + 1))), "value": leaf(i, count(keys), v)}
])

leaf(i, n, v) := v if i == n - 1

else := {}

container(name, security_context) := {"name": name, "image": "nginx:1.27", "securityContext": security_context}

plain_spec := {"containers": [{"name": "app", "image": "nginx:1.27"}]}

decide(inp) := d if {
	d := data.kubegate.decision with input as inp
}

# The deny reasons of a decision, or its approval reasons.
reasons(inp) := {r | some r in decide(inp).reasons}

allowed(inp) if {
	d := decide(inp)
	d.allow == true
	d.reasons == []
	d.approval.required == false
}

denied(inp) if {
	d := decide(inp)
	d.allow == false
	d.approval.required == false
	count(d.reasons) > 0
}

needs_approval(inp) if {
	d := decide(inp)
	d.allow == false
	d.approval.required == true
}

# Some reason of the decision contains every fragment.
says(inp, fragments) if {
	some r in reasons(inp)
	every f in fragments {
		contains(r, f)
	}
}

# The same call on an object that exists: input.oldObject is the object as it is now (the gateway
# leaves it out when the object does not exist or the agent cannot read it).
with_old(inp, old) := object.union(inp, {"oldObject": old})

# A call's object as it is now, for calls built by pod_call.
existing(inp) := with_old(inp, inp.object)
