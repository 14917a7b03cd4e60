"""Accepted risks: an approved decision to report one failing finding as `suppressed` until a date.

A suppressed finding is not hidden: it is counted on its own, and its evidence says who
accepted it, until when and why. When the date passes the finding fails again. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict

from posture.approvals import ApprovalRequest, RequestKind, default_expiry
from posture.base import ResourceKind
from posture.findings import Finding, Status
from posture.remediation.request import Asked

MAX_REASON = 500

FindingKey = tuple[str, str, str, str, str]


class AcceptedRisk(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    account: str
    region: str
    resource_kind: ResourceKind
    resource_id: str
    reason: str
    requested_by: str
    accepted_by: str
    accepted_at: datetime
    until: datetime
    request_id: str

    @property
    def key(self) -> FindingKey:
        """The same identity as `Finding.key`: rule, account, region, kind, resource."""
        return (self.rule_id, self.account, self.region, self.resource_kind, self.resource_id)

    def active(self, now: datetime) -> bool:
        return now < self.until

    def note(self) -> str:
        """The sentence appended to a suppressed finding's evidence."""
        return (
            f"Risk accepted by {self.accepted_by} (asked by {self.requested_by}) until "
            f"{self.until.strftime('%Y-%m-%d')}: {self.reason[:MAX_REASON]}"
        )


def storage_key(key: FindingKey) -> str:
    """A stable string for a finding key (JSON keeps "a", "bc" apart from "ab", "c")."""
    return json.dumps([str(part) for part in key])


class NotAnAcceptance(ValueError):
    """The request is not an approved accept-risk request with a finding and a date."""


def acceptance_from(request: ApprovalRequest, now: datetime) -> AcceptedRisk:
    """The record an approved ACCEPT_RISK request stands for."""
    if request.kind is not RequestKind.ACCEPT_RISK or request.rule_id is None:
        raise NotAnAcceptance(f"request {request.request_id} does not accept a finding's risk")
    if request.accept_until is None or request.decided_by is None:
        raise NotAnAcceptance(f"request {request.request_id} has no approver or no end date")
    return AcceptedRisk(
        rule_id=request.rule_id,
        account=request.account,
        region=request.region,
        resource_kind=ResourceKind(request.resource_kind),
        resource_id=request.resource_id,
        reason=request.reason,
        requested_by=request.requester,
        accepted_by=request.decided_by,
        accepted_at=request.decided_at or now,
        until=request.accept_until,
        request_id=request.request_id,
    )


def apply_suppressions(
    findings: Iterable[Finding], risks: Iterable[AcceptedRisk], now: datetime
) -> list[Finding]:
    """Failing findings with an active accepted risk become `suppressed`; nothing else changes."""
    active = {risk.key: risk for risk in risks if risk.active(now)}
    result: list[Finding] = []
    for finding in findings:
        risk = active.get(finding.key) if finding.status is Status.FAIL else None
        if risk is None:
            result.append(finding)
            continue
        evidence = f"{finding.evidence} [{risk.note()}]"
        result.append(
            finding.model_copy(update={"status": Status.SUPPRESSED, "evidence": evidence})
        )
    return result


def accept_risk_request(
    finding: Finding, asked: Asked, *, reason: str, until: datetime
) -> ApprovalRequest:
    """A pending ACCEPT_RISK request: report `finding` as suppressed until `until`, for `reason`."""
    where = f"{str(finding.resource_kind).replace('_', ' ')} {finding.resource_id}"
    return ApprovalRequest(
        request_id=asked.request_id,
        kind=RequestKind.ACCEPT_RISK,
        requester=asked.requester,
        created_at=asked.now,
        expires_at=default_expiry(asked.now, asked.ttl_hours),
        rule_id=finding.rule_id,
        finding_id=asked.finding_id,
        account=finding.account,
        region=finding.region,
        resource_kind=str(finding.resource_kind),
        resource_id=finding.resource_id,
        change=(
            f"Report {finding.rule_id} on {where} as suppressed (not failing) until "
            f"{until.strftime('%Y-%m-%d')}. It stays visible and counted as suppressed."
        ),
        api_call="none: no AWS call; only how cachewarden reports the finding changes",
        reason=reason[:MAX_REASON],
        accept_until=until,
        origin=asked.where,
        correlation_id=asked.correlation_id,
    )


MIN_REASON = 10
MAX_ACCEPT_DAYS = 365


def read_acceptance(
    reason: str, until_text: str, now: datetime
) -> tuple[str, datetime] | dict[str, str]:
    """The reason and end of an acceptance as typed in the modal, or an error per field.

    The end date is inclusive: `2026-12-31` suppresses through the last second of that day.
    """
    errors: dict[str, str] = {}
    cleaned = " ".join(reason.split())
    if len(cleaned) < MIN_REASON:
        errors["reason"] = f"Say why the risk is acceptable (at least {MIN_REASON} characters)."
    elif len(cleaned) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    try:
        day = date.fromisoformat(until_text.strip())
    except ValueError:
        errors["until"] = "Give the last day as YYYY-MM-DD, e.g. 2026-12-31."
        return errors
    until = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    if until <= now:
        errors["until"] = "The last day must be in the future."
    elif until - now > timedelta(days=MAX_ACCEPT_DAYS):
        errors["until"] = f"Accept a risk for at most {MAX_ACCEPT_DAYS} days; review it again then."
    return errors or (cleaned, until)
