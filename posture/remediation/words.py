"""What the thread says when a fix cannot go ahead: what happened and what to do next."""

from __future__ import annotations

from posture.remediation.model import FixPlan

BUSY_CODES = frozenset(
    {"InvalidReplicationGroupState", "InvalidCacheClusterState", "InvalidServerlessCacheStateFault"}
)
PERMISSION_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def _what(plan: FixPlan) -> str:
    return f"{plan.rule_id} fix on {str(plan.resource_kind).replace('_', ' ')} {plan.resource_id}"


def refusal_text(plan: FixPlan, operation: str, code: str, message: str) -> str:
    """AWS said no: name the refusal in its own words, then the next step."""
    said = f"AWS refused the {_what(plan)}: {operation} answered {code} ({message})."
    if code in BUSY_CODES:
        return f"{said} The resource is busy with another change, so nothing was changed. Wait until it reads `available`, then request the fix again."
    if code in PERMISSION_CODES:
        return f"{said} The role cachewarden uses lacks this permission; nothing was changed. Grant it (`cachewarden iam-policy remediation`) and request the fix again."
    if code in ("InvalidParameterCombination", "InvalidParameterValue"):
        return f"{said} AWS will not combine this change with the resource's current settings; nothing was changed. Check the settings named above, or use the rebuild runbook for this rule."
    return f"{said} Nothing was changed as far as cachewarden can tell; check the resource, then request the fix again."


def changed_text(plan: FixPlan) -> str:
    return (
        f"The {_what(plan)} was not applied: the resource changed since the request was made "
        "(someone else modified it). Request the fix again so an approver sees the current state."
    )


def unavailable_text(plan: FixPlan, status: str) -> str:
    return (
        f"The {_what(plan)} was not applied: the resource is `{status}`, and fixes run only on an "
        "`available` resource. Nothing was changed; request the fix again once it is available."
    )


def gone_text(plan: FixPlan) -> str:
    return f"The {_what(plan)} cannot finish: the resource no longer exists."


def timeout_text(plan: FixPlan, status: str) -> str:
    return (
        f"AWS accepted the {_what(plan)}, but the resource still reads `{status}` after the "
        "wait cachewarden allows. Check it in the console; run the audit again once it is available."
    )


def dry_run_text(plan: FixPlan) -> str:
    calls = "; ".join(call.describe() for call in plan.calls)
    return f"Dry run: approved, but cachewarden is in dry-run mode, so AWS was not called. It would have made: {calls}"
