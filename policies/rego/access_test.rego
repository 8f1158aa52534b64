package kubegate_test

test_unauthenticated_denied if {
	inp := object.union(call(req("get", "", "pods", "prod")), {"principal": {"name": ""}})
	denied(inp)
	says(inp, ["requests must be authenticated"])
	denied(object.remove(call(req("get", "", "pods", "prod")), ["principal"]))
}

test_impersonate_denied if {
	inp := call(req("impersonate", "", "users", ""))
	denied(inp)
	says(inp, ["User \"kubegate:alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope: impersonation is not allowed"])
	denied(call(req("impersonate", "", "serviceaccounts", "prod")))
}

test_secrets_in_kube_system_denied if {
	every verb in ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] {
		inp := call(req(verb, "", "secrets", "kube-system"))
		denied(inp)
		says(inp, ["Secrets in namespace \"kube-system\" cannot be read or written through kubegate; Secrets in other namespaces may be read"])
	}
	# a dry run too: its answer is the Secret
	denied(object.union(call(req("patch", "", "secrets", "kube-system")), {"request": {"dryRun": true}}))
}

test_secrets_elsewhere_allowed if {
	allowed(call(req("get", "", "secrets", "prod")))
	allowed(call(req("list", "", "secrets", "default")))
}

test_secrets_in_all_namespaces_denied if {
	inp := call(req("list", "", "secrets", ""))
	denied(inp)
	says(inp, ["reading Secrets in all namespaces is not allowed because it includes \"kube-system\"", "list Secrets in one namespace instead"])
	allowed(inp) with data.kubegate.secretReadDeniedNamespaces as []
}

test_own_namespace_denied if {
	every verb in ["get", "list", "create", "delete"] {
		inp := call(req(verb, "", "configmaps", "kubegate"))
		denied(inp)
		says(inp, ["namespace \"kubegate\" belongs to kubegate itself and cannot be accessed through it"])
	}
}

test_own_namespace_object_denied if {
	# GET /api/v1/namespaces/kubegate: RequestInfo puts the name in namespace.
	denied(call(object.union(req("get", "", "namespaces", "kubegate"), {"name": "kubegate"})))

	# POST /api/v1/namespaces with metadata.name kubegate.
	denied(object.union(call(req("create", "", "namespaces", "")), {"object": {"metadata": {"name": "kubegate"}}}))
}

test_own_namespace_from_data if {
	denied(call(req("get", "", "pods", "gate"))) with data.kubegate.ownNamespace as "gate"
	allowed(call(req("get", "", "pods", "kubegate"))) with data.kubegate.ownNamespace as "gate"
}

test_ordinary_reads_allowed if {
	allowed(call(req("get", "", "pods", "prod")))
	allowed(call(req("list", "apps", "deployments", "")))
	allowed(call(req("watch", "", "pods", "kube-system")))
	allowed(call(sub("get", "pods", "log", "kube-system")))
	allowed(call({"verb": "get", "isResourceRequest": false, "path": "/version", "apiGroup": "", "resource": "", "subresource": "", "namespace": "", "name": "", "dryRun": false}))
}

test_non_resource_wording if {
	inp := object.union(call({"verb": "get", "isResourceRequest": false, "path": "/version", "apiGroup": "", "resource": "", "subresource": "", "namespace": "", "name": "", "dryRun": false}), {"principal": {"name": ""}})
	says(inp, ["User \"kubegate:\" cannot get path \"/version\": requests must be authenticated"])
}
