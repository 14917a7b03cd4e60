"""Approvals and accepted risks, read for the digest and the App Home tab.

Kept apart from the digest's scanning code so the web process can use it without
importing anything that talks to AWS.
"""

from __future__ import annotations

from datetime import datetime

import redis

from posture.digest import ExpiringRisk, PendingApproval
from workers.approvals.store import ApprovalStore
from workers.approvals.suppressions_store import SuppressionStore


def read_expiring_risks(connection: redis.Redis, now: datetime) -> list[ExpiringRisk]:
    """Active accepted risks; the digest keeps those ending within the week."""
    return [
        ExpiringRisk(
            rule_id=risk.rule_id,
            resource_id=risk.resource_id,
            account=risk.account,
            region=risk.region,
            until=risk.until.date(),
            accepted_by=risk.accepted_by,
            reason=risk.reason,
        )
        for risk in SuppressionStore(connection).active(now)
    ]


def read_pending_approvals(connection: redis.Redis) -> list[PendingApproval]:
    return [
        PendingApproval(
            request_id=request.request_id,
            kind=str(request.kind),
            requester=request.requester,
            resource_id=request.resource_id,
            change=request.change,
            expires_at=request.expires_at,
            rule_id=request.rule_id or "",
            account=request.account,
            region=request.region,
            api_call=request.api_call,
            changes_aws=request.changes_aws,
            warning=request.warning,
        )
        for request in ApprovalStore(connection).pending()
    ]
