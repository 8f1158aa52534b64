# Pod security: no privileged containers, no host namespaces, no hostPath volumes, no added
# capabilities beyond a safe list — for pods, every workload's pod template, and ephemeral
# (debug) containers alike.
#
# input.podSpec tells where the pod spec is in input.object, so one rule covers every kind:
#   {"path": "<dotted path of the core/v1 PodSpec inside input.object>"}
# with path (the table is PolicyInput.podSpecPath on the Java side)
#   "spec"                                  pods, pods/ephemeralcontainers
#   "spec.template.spec"                    deployments, statefulsets, daemonsets, replicasets,
#                                           replicationcontrollers, jobs
#   "template.spec"                         podtemplates
#   "spec.jobTemplate.spec.template.spec"   cronjobs
# It is absent when the request writes no pod spec (reads, deletes, other kinds and subresources).
# input.object is the object the request would produce: for patches, the patched object (the
# gateway resolves the patch with a dry run first). A path, not a copy of the spec, because the
# input is parsed on every decision and the spec is most of it.
#
# Updates are judged by the object they produce, not by what changed: an update that keeps a
# privileged container but changes its image would run new code with the host's privileges.
# So input.oldObject plays no part here.
package kubegate

pod_spec_verbs := {"create", "update", "patch"}

pod_spec := object.get(input.object, split(pod_path, "."), null) if {
	request.isResourceRequest
	pod_spec_verbs[request.verb]
	input.podSpec
}

# Messages must always build (a rule whose message fails to build does not fire).
pod_path := p if {
	p := input.podSpec.path
	is_string(p)
} else := "spec"

# Every container as [list, index]: a set of small keys, since putting whole containers in a set
# would hash each of them. container_path makes "spec.containers[0]" of it only for messages.
containers contains [list, i] if {
	some list in ["initContainers", "containers", "ephemeralContainers"]
	some i, _ in pod_spec[list]
}

container_path(list, i) := concat("", [pod_path, ".", list, "[", format_int(i, 10), "]"])

deny contains refusal(concat("", [
	"privileged containers are not allowed (", container_path(list, i), ".securityContext.privileged); ",
	"set privileged: false or remove it",
])) if {
	some [list, i] in containers
	pod_spec[list][i].securityContext.privileged == true
}

host_namespaces := {
	"hostPID": "process ID namespace",
	"hostIPC": "IPC namespace",
	"hostNetwork": "network namespace",
}

deny contains refusal(concat("", [
	"sharing the host's ", what, " is not allowed (", pod_path, ".", field, "); ",
	"set ", field, ": false or remove it",
])) if {
	some field, what in host_namespaces
	pod_spec[field] == true
}

deny contains refusal(concat("", [
	"hostPath volumes are not allowed (", pod_path, ".volumes[", format_int(i, 10), "].hostPath, volume \"", object.get(v, "name", ""), "\"); ",
	"use an emptyDir, configMap, secret or persistentVolumeClaim volume instead",
])) if {
	some i, v in pod_spec.volumes
	v.hostPath
}

# Baseline of the Pod Security Standards; data.kubegate.allowedCapabilities overrides it.
default configured_capabilities := [
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]

configured_capabilities := data.kubegate.allowedCapabilities

# Spelled as Kubernetes documents them: upper case, without CAP_.
allowed_capabilities := {c | some c in configured_capabilities}

# Container runtimes accept "net_admin" and "CAP_NET_ADMIN" for NET_ADMIN: so do we.
capability_name(cap) := trim_prefix(upper(cap), "CAP_")

deny contains refusal(concat("", [
	"adding capability ", cap, " is not allowed (", container_path(list, i), ".securityContext.capabilities.add[", format_int(j, 10), "]); ",
	"allowed are ", concat(", ", sort(allowed_capabilities)), ", or drop it from capabilities.add",
])) if {
	some [list, i] in containers
	some j, cap in pod_spec[list][i].securityContext.capabilities.add
	not allowed_capabilities[capability_name(cap)]
}
