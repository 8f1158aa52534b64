# Channels kubegate cannot mask (docs/security.md, "Logs and exec output"). Wherever Secret values
# are masked for the caller (mask.secrets), these need a human's approval first, because what
# they carry reaches the agent as it is:
#   kubectl cp    exec of `tar cf - <path>` (from a pod) or `tar xmf - ...` (to a pod): a tar
#                 stream, binary, never line-masked in a way that holds (a value split across tar
#                 blocks or compressed is not found)
#   port-forward  pods/portforward: a raw TCP tunnel to the pod
# In protected namespaces approvals.rego already asks for approval of every exec and port-forward.
package kubegate

masking_applies if mask_decision.secrets == true

# The program an exec runs: the base name of its first command word ("/bin/tar" -> "tar").
exec_program := program if {
	words := request.query.command
	count(words) > 0
	parts := split(words[0], "/")
	program := parts[count(parts) - 1]
}

unmasked_channel_outside_protected if {
	masking_applies
	is_core_resource("pods")
	not protected_namespaces[target_namespace]
}

require_approval contains needs_approval(concat("", [
	"copying files with kubectl cp (exec of tar) streams them unmasked, so it needs approval; ",
	"kubectl exec -- cat <file> is masked and needs none",
])) if {
	unmasked_channel_outside_protected
	request.subresource == "exec"
	exec_program == "tar"
}

require_approval contains needs_approval(concat("", [
	"port-forward opens a raw tunnel kubegate cannot mask, so it needs approval; ",
	"kubectl logs and kubectl exec are masked and need none",
])) if {
	unmasked_channel_outside_protected
	request.subresource == "portforward"
}
