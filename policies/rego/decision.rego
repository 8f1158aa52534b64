# The entrypoint: kubegate/decision, the decision document of docs/policy-input.md.
#
#   allow     true only when no rule denies and no rule asks for approval
#   reasons   the deny reasons, or else the approval reasons (the agent reads them)
#   approval  required when some rule asks for approval and none denies; data.kubegate.approval sets
#             approverGroups, ttl (how long the grant covers the same call; "0" = once) and
#             approvers (how many distinct people must approve, default 1)
#   mask      what the gateway hides in responses, logs and exec output
#   audit     how much of the call the audit record keeps
#
# Rules add to the sets `deny` (access.rego, workloads.rego) and `require_approval`
# (approvals.rego, budgets.rego); `mask_decision` is in mask.rego. Everything else an authenticated agent asks is allowed.
package kubegate

decision := {
	"allow": allow,
	"reasons": reasons,
	"approval": approval_decision,
	"mask": mask_decision,
	"audit": {"level": audit_level},
}

default allow := false

allow if {
	count(deny) == 0
	count(require_approval) == 0
}

reasons := sort(deny) if count(deny) > 0

else := sort(require_approval)

default approval_settings := {}

approval_settings := data.kubegate.approval

approval_decision := {
	"required": true,
	"reason": concat("; ", sort(require_approval)),
	"approverGroups": object.get(approval_settings, "approverGroups", []),
	"ttl": object.get(approval_settings, "ttl", "15m"),
	"approvers": object.get(approval_settings, "approvers", 1),
} if {
	count(deny) == 0
	count(require_approval) > 0
} else := {"required": false, "reason": "", "approverGroups": [], "ttl": ""}

# Reads: who read what. Writes: the request body too. Interactive sessions, and anything that was
# refused or needs approval: everything, for review and replay.
audit_level := "RequestResponse" if {
	interactive
} else := "Request" if {
	count(deny) + count(require_approval) > 0
} else := "Request" if {
	is_write
} else := "Metadata"
