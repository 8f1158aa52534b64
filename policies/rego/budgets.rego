# Per-session budgets: an agent that has already made many changes in one session must have a
# human look before it goes on. input.stats counts the session's requests before this one;
# the limits are data.kubegate.budgets. An Eviction deletes the pod it names, so it is a delete
# here (is_delete, common.rego) and in the session's counters.
package kubegate

default session_budgets := {}

session_budgets := data.kubegate.budgets

# A budget that is not set is unlimited.
budget(name) := object.get(session_budgets, name, -1)

require_approval contains needs_approval(concat("", [
	"this session has already deleted ", format_int(input.stats.deletes, 10), " objects, its budget is ",
	format_int(budget("deletes"), 10), "; further deletes need approval, or start a new session after review",
])) if {
	is_effective_write
	is_delete
	budget("deletes") >= 0
	input.stats.deletes >= budget("deletes")
}

require_approval contains needs_approval(concat("", [
	"this session has already made ", format_int(input.stats.mutations, 10), " changes, its budget is ",
	format_int(budget("mutations"), 10), "; further changes need approval, or start a new session after review",
])) if {
	is_effective_write
	budget("mutations") >= 0
	input.stats.mutations >= budget("mutations")
}
