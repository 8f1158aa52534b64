package kubegate_test

test_admission_and_api_machinery_writes_need_approval if {
	every resource in [
		["admissionregistration.k8s.io", "mutatingwebhookconfigurations", "a mutating admission webhook"],
		["admissionregistration.k8s.io", "validatingwebhookconfigurations", "a validating admission webhook"],
		["admissionregistration.k8s.io", "validatingadmissionpolicies", "a ValidatingAdmissionPolicy"],
		["admissionregistration.k8s.io", "validatingadmissionpolicybindings", "a ValidatingAdmissionPolicyBinding"],
		["apiregistration.k8s.io", "apiservices", "an APIService routes a whole API group"],
		["certificates.k8s.io", "clustertrustbundles", "a ClusterTrustBundle"],
		["", "nodes", "a node's labels and taints"],
	] {
		every verb in ["create", "update", "patch", "delete"] {
			inp := call(req(verb, resource[0], resource[1], ""))
			needs_approval(inp)
			says(inp, [concat("", [" resource \"", resource[1], "\" in API group \"", resource[0], "\" at the cluster scope without approval: ", resource[2]])])
		}
		allowed(call(req("list", resource[0], resource[1], "")))
	}
}

test_node_status_needs_approval if {
	needs_approval(call(sub("patch", "nodes", "status", "")))
}

test_node_proxy_denied_even_for_reads if {
	every verb in ["get", "create"] {
		inp := call(sub(verb, "nodes", "proxy", ""))
		denied(inp)
		says(inp, ["nodes/proxy reaches the kubelet's API"])
	}
}

test_crd_with_conversion_webhook_needs_approval if {
	crd := {"spec": {"names": {"kind": "Widget"}, "conversion": {"strategy": "Webhook", "webhook": {}}}}
	inp := object.union(call(req("create", "apiextensions.k8s.io", "customresourcedefinitions", "")), {"object": crd})
	needs_approval(inp)
	says(inp, ["would receive every Widget object"])
	allowed(object.union(call(req("create", "apiextensions.k8s.io", "customresourcedefinitions", "")), {"object": {"spec": {"conversion": {"strategy": "None"}}}}))
}

pv(spec) := object.union(call(req("create", "", "persistentvolumes", "")), {"object": {"metadata": {"name": "pv"}, "spec": spec}})

test_host_path_persistent_volume_denied if {
	inp := pv({"hostPath": {"path": "/etc"}})
	denied(inp)
	says(inp, ["hostPath PersistentVolumes are not allowed (spec.hostPath, path \"/etc\")"])
}

test_node_local_persistent_volumes_need_approval if {
	needs_approval(pv({"local": {"path": "/mnt/disk"}}))
	says(pv({"local": {"path": "/mnt/disk"}}), ["uses local (spec.local)"])
	needs_approval(pv({"flexVolume": {"driver": "x/y"}}))
}

test_other_persistent_volumes_allowed if {
	allowed(pv({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"}}))
}
