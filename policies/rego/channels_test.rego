package kubegate_test

exec_call(namespace, command) := call(object.union(sub("create", "pods", "exec", namespace), {
	"name": "app",
	"query": {"command": command, "stdout": ["true"]},
}))

test_kubectl_cp_from_a_pod_needs_approval if {
	inp := exec_call("prod", ["tar", "cf", "-", "/etc/app"])
	needs_approval(inp)
	says(inp, ["cannot create resource \"pods/exec\"", "kubectl cp (exec of tar) streams them unmasked"])
	count(reasons(inp)) == 1
}

test_kubectl_cp_to_a_pod_and_tar_by_path_need_approval if {
	needs_approval(exec_call("prod", ["tar", "xmf", "-", "-C", "/tmp"]))
	needs_approval(exec_call("prod", ["/bin/tar", "cf", "-", "/etc"]))
	needs_approval(exec_call("prod", ["/usr/bin/tar"]))
}

test_other_exec_needs_no_approval if {
	allowed(exec_call("prod", ["cat", "/etc/app/config"]))
	allowed(exec_call("prod", ["sh", "-c", "env | base64"]))
	allowed(exec_call("prod", ["tarball-tool"]))
	allowed(exec_call("prod", ["cat", "tar"]))
	allowed(call(object.union(sub("create", "pods", "exec", "prod"), {"query": {}})))
}

test_port_forward_needs_approval if {
	inp := call(sub("create", "pods", "portforward", "prod"))
	needs_approval(inp)
	says(inp, ["port-forward opens a raw tunnel kubegate cannot mask"])
	needs_approval(call(sub("get", "pods", "portforward", "prod")))
}

test_unmasked_channels_need_no_approval_where_secrets_are_not_masked if {
	allowed(exec_call("prod", ["tar", "cf", "-", "/etc"])) with data.kubegate.mask.secrets as false
	allowed(call(sub("create", "pods", "portforward", "prod"))) with data.kubegate.mask.secrets as false
}

test_protected_namespaces_give_one_reason if {
	inp := exec_call("kube-system", ["tar", "cf", "-", "/etc"])
	needs_approval(inp)
	count(reasons(inp)) == 1
	says(inp, ["protected namespace"])
}

test_logs_stay_allowed if {
	allowed(call(object.union(sub("get", "pods", "log", "prod"), {"name": "app"})))
}
