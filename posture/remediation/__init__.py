"""Remediation plans: for one failing rule on one cache, the exact AWS calls to fix it in
place (with the words, risk and backout an approver reads), or a resource-specific rebuild
runbook, or why nothing can run yet. Pure: snapshots and policy in, plans out."""

from posture.remediation.model import (
    ApiCall,
    FixPlan,
    FixResult,
    PlanKind,
    Runbook,
    RunbookStep,
    fingerprint,
)
from posture.remediation.planner import (
    AUTOMATED_RULES,
    CACHE_KINDS,
    IN_PLACE_REFUSALS,
    catalog_plan,
    current_finding,
    plan_fix,
    rebuild_fallback,
)
from posture.remediation.rebuild import REBUILD_RULES
from posture.remediation.request import Asked, fix_request

__all__ = [
    "AUTOMATED_RULES",
    "CACHE_KINDS",
    "IN_PLACE_REFUSALS",
    "REBUILD_RULES",
    "ApiCall",
    "Asked",
    "FixPlan",
    "FixResult",
    "PlanKind",
    "Runbook",
    "RunbookStep",
    "catalog_plan",
    "current_finding",
    "fingerprint",
    "fix_request",
    "plan_fix",
    "rebuild_fallback",
]
