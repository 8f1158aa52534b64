# Borrowed workload identities: an agent that may create pods could run one as a more powerful
# service account and read that account's token (mounted in the pod) through exec or logs, or
# just let the pod act with it. So agents' workloads run as the service accounts listed in
# data.kubegate.workloadServiceAccounts without a human looking (default: each namespace's
# "default"); any other needs approval.
#
# Entries are "name" (that name in every namespace) or "namespace/name" (that one account).
# The pod spec comes from input.podSpec (workloads.rego), so pods and every workload template are
# covered alike. Not covered on purpose: updates and patches of an existing pod and
# pods/ephemeralcontainers, since a pod's service account cannot change after creation (the pod
# already runs as it). An update or patch that may create the pod is judged like a create.
# Templates are judged on every write: a new image in a deployment that runs as a powerful
# account runs new code with that account.
package kubegate

default configured_workload_service_accounts := ["default"]

configured_workload_service_accounts := data.kubegate.workloadServiceAccounts

# serviceAccountName wins; the deprecated serviceAccount is its alias; neither means "default".
workload_service_account := sa if {
	sa := pod_spec.serviceAccountName
	is_string(sa)
	sa != ""
} else := sa if {
	sa := pod_spec.serviceAccount
	is_string(sa)
	sa != ""
} else := "default"

workload_namespace := target_namespace if target_namespace != ""

else := ns if {
	ns := input.object.metadata.namespace
	is_string(ns)
} else := ""

workload_service_account_allowed if {
	some entry in configured_workload_service_accounts
	entry == workload_service_account
}

workload_service_account_allowed if {
	some entry in configured_workload_service_accounts
	entry == concat("/", [workload_namespace, workload_service_account])
}

# The pod's own account is fixed at creation: only a call that may create the pod can choose it.
# That is create, and an update or patch of a pod that does not exist yet, or that the agent
# cannot read (kubectl apply --server-side creates with a PATCH): writes_new_object, common.rego.
# Its subresources (ephemeralcontainers) never create a pod.
pod_service_account_fixed if {
	is_core_resource("pods")
	not writes_new_object
}

require_approval contains needs_approval(concat("", [
	"the workload would run as service account \"", workload_service_account, "\" (", pod_path,
	".serviceAccountName), and whoever runs code in it acts with that account's permissions and can read its token; ",
	"without approval workloads run as ", quoted_list(sort({s | some s in configured_workload_service_accounts})),
])) if {
	is_effective_write
	pod_spec
	not pod_service_account_fixed
	not workload_service_account_allowed
}

# A pod that mounts, or reads env from, a Secret holding a service-account token (type
# kubernetes.io/service-account-token: on clusters before 1.24 every account has one) borrows that
# account as surely as one that runs as it. kubegate reads the types of the Secrets a written pod
# spec references, with its own identity, into input.podSpec.tokenSecrets (Secret -> account).
token_account_allowed(sa) if {
	some entry in configured_workload_service_accounts
	entry == sa
}

token_account_allowed(sa) if {
	some entry in configured_workload_service_accounts
	entry == concat("/", [workload_namespace, sa])
}

require_approval contains needs_approval(concat("", [
	"the workload would read the token of service account \"", sa, "\" from Secret \"", secret, "\" (", pod_path,
	"), and whoever runs code in it acts with that account's permissions; ",
	"without approval workloads use only the tokens of ", quoted_list(sort({s | some s in configured_workload_service_accounts})),
])) if {
	is_effective_write
	pod_spec
	not pod_service_account_fixed
	some secret, sa in object.get(input.podSpec, "tokenSecrets", {})
	not token_account_allowed(sa)
}
