package kubegate_test

# --- privileged ---

test_privileged_pod_denied_with_field_path if {
	inp := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"privileged": true})]})
	denied(inp)
	says(inp, [
		"User \"kubegate:alice\" cannot create resource \"pods\" in API group \"\" in the namespace \"prod\": ",
		"privileged containers are not allowed (spec.containers[0].securityContext.privileged); set privileged: false or remove it",
	])
}

test_privileged_false_allowed if {
	allowed(pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"privileged": false})]}))
}

test_privileged_init_container_denied if {
	inp := pod_call("create", "", "pods", "prod", "spec", {
		"initContainers": [container("init", {"privileged": true})],
		"containers": [container("app", {})],
	})
	says(inp, ["(spec.initContainers[0].securityContext.privileged)"])
}

test_privileged_second_container_path if {
	inp := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("a", {}), container("b", {"privileged": true})]})
	says(inp, ["(spec.containers[1].securityContext.privileged)"])
}

test_every_workload_template_denied if {
	every resource, path in {
		"deployments": "spec.template.spec", "statefulsets": "spec.template.spec",
		"daemonsets": "spec.template.spec", "replicasets": "spec.template.spec",
	} {
		says(pod_call("create", "apps", resource, "prod", path, {"containers": [container("app", {"privileged": true})]}), [
			concat("", ["cannot create resource \"", resource, "\" in API group \"apps\""]),
			concat("", ["(", path, ".containers[0].securityContext.privileged)"]),
		])
	}
	says(pod_call("update", "", "replicationcontrollers", "prod", "spec.template.spec", {"containers": [container("app", {"privileged": true})]}), ["(spec.template.spec.containers[0]"])
	says(pod_call("create", "batch", "jobs", "prod", "spec.template.spec", {"containers": [container("app", {"privileged": true})]}), ["(spec.template.spec.containers[0]"])
	says(pod_call("patch", "batch", "cronjobs", "prod", "spec.jobTemplate.spec.template.spec", {"containers": [container("app", {"privileged": true})]}), ["(spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged)"])
}

test_ephemeral_container_denied if {
	inp := object.union(
		pod_call("update", "", "pods", "prod", "spec", {
			"containers": [container("app", {})],
			"ephemeralContainers": [container("debugger", {"privileged": true})],
		}),
		{"request": sub("update", "pods", "ephemeralcontainers", "prod")},
	)
	denied(inp)
	says(inp, ["cannot update resource \"pods/ephemeralcontainers\"", "(spec.ephemeralContainers[0].securityContext.privileged)"])
}

test_reads_and_deletes_ignore_pod_spec if {
	spec := {"containers": [container("app", {"privileged": true})]}
	allowed(pod_call("get", "", "pods", "prod", "spec", spec))
	allowed(pod_call("delete", "", "pods", "prod", "spec", spec))
}

test_ordinary_pod_allowed if {
	allowed(pod_call("create", "", "pods", "prod", "spec", {
		"containers": [container("app", {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})],
		"volumes": [{"name": "cache", "emptyDir": {}}],
		"hostNetwork": false,
	}))
}

# --- host namespaces ---

test_host_namespaces_denied if {
	every field in ["hostPID", "hostIPC", "hostNetwork"] {
		inp := pod_call("create", "apps", "deployments", "prod", "spec.template.spec", object.union(plain_spec, {field: true}))
		denied(inp)
		says(inp, [concat("", ["(spec.template.spec.", field, "); set ", field, ": false or remove it"])])
	}
}

test_host_network_message_names_namespace if {
	says(pod_call("create", "", "pods", "prod", "spec", object.union(plain_spec, {"hostNetwork": true})), ["sharing the host's network namespace is not allowed"])
}

# --- hostPath ---

test_host_path_denied if {
	inp := pod_call("create", "", "pods", "prod", "spec", object.union(plain_spec, {"volumes": [
		{"name": "cache", "emptyDir": {}},
		{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}},
	]}))
	denied(inp)
	says(inp, ["hostPath volumes are not allowed (spec.volumes[1].hostPath, volume \"docker\")", "use an emptyDir"])
}

# --- capabilities ---

test_unsafe_capability_denied if {
	inp := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}})]})
	denied(inp)
	says(inp, ["adding capability SYS_ADMIN is not allowed (spec.containers[0].securityContext.capabilities.add[1])", "allowed are AUDIT_WRITE, CHOWN"])
	count(reasons(inp)) == 1
}

test_capability_all_denied if {
	says(pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["ALL"]}})]}), ["adding capability ALL"])
}

test_capability_spellings_normalised if {
	allowed(pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["cap_chown", "net_bind_service"]}})]}))
	says(pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["CAP_NET_ADMIN"]}})]}), ["adding capability CAP_NET_ADMIN"])
}

test_capability_list_from_data if {
	net_admin := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["NET_ADMIN"]}})]})
	allowed(net_admin) with data.kubegate.allowedCapabilities as ["NET_ADMIN"]
	sys_time := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"capabilities": {"add": ["SYS_TIME"]}})]})
	says(sys_time, ["adding capability SYS_TIME is not allowed", "allowed are NET_ADMIN, or drop it"]) with data.kubegate.allowedCapabilities as ["NET_ADMIN"]
}

test_all_violations_reported if {
	inp := pod_call("create", "", "pods", "prod", "spec", {
		"hostPID": true,
		"containers": [container("app", {"privileged": true, "capabilities": {"add": ["NET_RAW"]}})],
		"volumes": [{"name": "root", "hostPath": {"path": "/"}}],
	})
	count(reasons(inp)) == 4
}
