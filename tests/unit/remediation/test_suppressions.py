"""Accepted risks: failing findings become suppressed (with who, until, why) until the date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from posture.approvals import ApprovalRequest, RequestKind, State
from posture.base import ResourceKind, Severity
from posture.conversations import ConversationRef
from posture.findings import Finding, Status
from posture.remediation import Asked
from posture.report import summarise
from posture.suppressions import (
    AcceptedRisk,
    NotAnAcceptance,
    accept_risk_request,
    acceptance_from,
    apply_suppressions,
    read_acceptance,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def finding(
    rule: str = "CW-401", status: Status = Status.FAIL, resource: str = "orders"
) -> Finding:
    return Finding(
        rule_id=rule,
        title="Backups",
        aliases={},
        severity=Severity.HIGH,
        status=status,
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id=resource,
        resource_arn="",
        account="123456789012",
        region="eu-west-1",
        engine="redis 7.1",
        evidence="backups off",
    )


def risk(until: datetime, rule: str = "CW-401", resource: str = "orders") -> AcceptedRisk:
    return AcceptedRisk(
        rule_id=rule,
        account="123456789012",
        region="eu-west-1",
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id=resource,
        reason="cache only, rebuilt nightly",
        requested_by="U_ENG",
        accepted_by="U_SEC",
        accepted_at=NOW,
        until=until,
        request_id="req00001",
    )


def test_active_risk_suppresses_the_failing_finding_and_says_who_and_until() -> None:
    findings = [
        finding(),
        finding("CW-405"),
        finding(resource="other"),
        finding(status=Status.PASS, resource="p"),
    ]
    result = apply_suppressions(findings, [risk(NOW + timedelta(days=3))], NOW)
    suppressed = [f for f in result if f.status is Status.SUPPRESSED]
    assert [f.key for f in suppressed] == [findings[0].key]
    assert "U_SEC" in suppressed[0].evidence and "2026-11-25" in suppressed[0].evidence
    assert "cache only" in suppressed[0].evidence
    summary = summarise("r1", result, scope="all", state="done", requested_by="U")
    assert summary.suppressed == 1 and summary.failing.total == 2


def test_expired_risk_changes_nothing() -> None:
    findings = [finding()]
    assert apply_suppressions(findings, [risk(NOW)], NOW) == findings
    assert apply_suppressions(findings, [risk(NOW - timedelta(seconds=1))], NOW) == findings


def test_a_passing_finding_is_never_suppressed() -> None:
    passing = [finding(status=Status.PASS)]
    assert apply_suppressions(passing, [risk(NOW + timedelta(days=1))], NOW) == passing


def _request(**changes: object) -> ApprovalRequest:
    asked = Asked(
        request_id="risk0001",
        requester="U_ENG",
        finding_id="abc",
        where=ConversationRef(channel="C1", thread="1.2"),
        now=NOW,
        ttl_hours=24,
    )
    base = accept_risk_request(
        finding(), asked, reason="cache only", until=NOW + timedelta(days=30)
    )
    return base.model_copy(update=changes)


def test_accept_risk_request_describes_the_change_and_makes_no_aws_call() -> None:
    request = _request()
    assert request.kind is RequestKind.ACCEPT_RISK and request.state is State.PENDING
    assert "suppressed" in request.change and "2026-12-22" in request.change
    assert request.api_call.startswith("none")
    assert request.expires_at == NOW + timedelta(hours=24)


def test_acceptance_needs_an_approved_accept_risk_request() -> None:
    approved = _request(state=State.RUNNING, decided_by="U_SEC", decided_at=NOW)
    record = acceptance_from(approved, NOW)
    assert record.key == finding().key and record.accepted_by == "U_SEC"
    with pytest.raises(NotAnAcceptance):
        acceptance_from(_request(), NOW)  # nobody approved it
    with pytest.raises(NotAnAcceptance):
        acceptance_from(approved.model_copy(update={"kind": RequestKind.FIX}), NOW)


@pytest.mark.parametrize(
    ("reason", "until", "field"),
    [
        ("short", "2026-12-01", "reason"),
        ("x" * 501, "2026-12-01", "reason"),
        ("a good reason here", "next week", "until"),
        ("a good reason here", "2026-11-21", "until"),
        ("a good reason here", "2028-01-01", "until"),
    ],
)
def test_modal_values_are_checked_field_by_field(reason: str, until: str, field: str) -> None:
    read = read_acceptance(reason, until, NOW)
    assert isinstance(read, dict) and field in read


def test_modal_values_read_the_last_day_inclusively() -> None:
    read = read_acceptance("  cache only,\n rebuilt nightly ", "2026-12-01", NOW)
    assert read == ("cache only, rebuilt nightly", datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC))
    assert isinstance(read_acceptance("a good reason", "2026-11-22", NOW), tuple)  # today counts
