package kubegate_test

sa_spec(field, name) := object.union(plain_spec, {field: name})

test_default_service_account_allowed if {
	allowed(pod_call("create", "", "pods", "prod", "spec", plain_spec))
	allowed(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "default")))
	allowed(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "")))
}

test_other_service_account_needs_approval if {
	inp := pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))
	needs_approval(inp)
	says(inp, [
		"cannot create resource \"pods\" in API group \"\" in the namespace \"prod\" without approval: ",
		"the workload would run as service account \"powerful\" (spec.serviceAccountName)",
		"without approval workloads run as \"default\"",
	])
}

test_deprecated_service_account_field_counts if {
	needs_approval(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccount", "powerful")))
}

test_every_workload_template_checked if {
	every resource, path in {
		"apps/deployments": "spec.template.spec", "apps/statefulsets": "spec.template.spec",
		"apps/daemonsets": "spec.template.spec", "apps/replicasets": "spec.template.spec",
		"/replicationcontrollers": "spec.template.spec", "batch/jobs": "spec.template.spec",
		"/podtemplates": "template.spec", "batch/cronjobs": "spec.jobTemplate.spec.template.spec",
	} {
		parts := split(resource, "/")
		every verb in ["create", "update", "patch"] {
			inp := pod_call(verb, parts[0], parts[1], "prod", path, sa_spec("serviceAccountName", "ci-admin"))
			needs_approval(inp)
			says(inp, [concat("", ["(", path, ".serviceAccountName)"])])
		}
	}
}

test_dry_run_of_other_service_account_needs_no_approval if {
	# The dry run needs no approval (it runs nothing); the real create does.
	allowed(dry(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))))
}

test_pod_updates_and_ephemeral_containers_not_held if {
	allowed(pod_call("patch", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful")))
	inp := object.union(pod_call("update", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful")), {"request": {"subresource": "ephemeralcontainers"}})
	allowed(inp)
}

test_allowed_accounts_from_data if {
	inp := pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "builder"))
	allowed(inp) with data.kubegate.workloadServiceAccounts as ["default", "builder"]
	allowed(inp) with data.kubegate.workloadServiceAccounts as ["default", "prod/builder"]
	needs_approval(inp) with data.kubegate.workloadServiceAccounts as ["default", "staging/builder"]
	needs_approval(pod_call("create", "", "pods", "prod", "spec", plain_spec)) with data.kubegate.workloadServiceAccounts as ["builder"]
}
