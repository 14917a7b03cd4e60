"""The approval request for a fix plan: everything an approver reads, built from the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from posture.approvals import ApprovalRequest, RequestKind, default_expiry
from posture.conversations import ConversationRef
from posture.remediation.model import FixPlan


@dataclass(frozen=True)
class Asked:
    """Who asked for what, where: the parts of a request that do not come from the plan."""

    request_id: str
    requester: str
    finding_id: str
    where: ConversationRef  # the finding's thread, on the platform the click came from
    now: datetime
    ttl_hours: int
    correlation_id: str = ""


def fix_request(plan: FixPlan, asked: Asked) -> ApprovalRequest:
    """A pending FIX request whose exact call, risk and backout are the plan's."""
    change = plan.change + (f" {plan.next_step}" if plan.next_step else "")
    return ApprovalRequest(
        request_id=asked.request_id,
        kind=RequestKind.FIX,
        requester=asked.requester,
        created_at=asked.now,
        expires_at=default_expiry(asked.now, asked.ttl_hours),
        rule_id=plan.rule_id,
        finding_id=asked.finding_id,
        account=plan.account,
        region=plan.region,
        resource_kind=str(plan.resource_kind),
        resource_id=plan.resource_id,
        change=change,
        api_call=plan.api_call_text,
        risk=plan.risk,
        backout=plan.backout,
        fingerprint=plan.fingerprint,
        origin=asked.where,
        correlation_id=asked.correlation_id,
        warning=plan.warning,
    )
