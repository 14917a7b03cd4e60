"""Alerts come from state transitions, so repeats, replays and the bot's own fixes stay quiet."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from posture.alert_transitions import (
    QuietHours,
    TransitionKind,
    parse_quiet_hours,
    plan_deletion,
    plan_transitions,
    resource_keys,
    worth_posting,
)
from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status
from posture.history import KeyHistory, finding_key

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _finding(status: Status, rule: str = "CW-401", resource: str = "orders") -> Finding:
    return Finding(
        rule_id=rule,
        title="Caches take automatic daily backups",
        aliases={},
        severity=Severity.HIGH,
        status=status,
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id=resource,
        resource_arn="",
        account="123456789012",
        region="eu-west-1",
        engine="redis",
        evidence="SnapshotRetentionLimit is 0",
    )


def test_pass_to_fail_opens_once_and_a_replay_is_quiet() -> None:
    failing = _finding(Status.FAIL)
    first = plan_transitions([failing], {}, T0)
    assert [t.kind for t in first.transitions] == [TransitionKind.OPENED]
    again = plan_transitions([failing], first.updated, T0 + timedelta(seconds=5))
    assert again.transitions == ()
    assert again.updated[finding_key(failing)].is_open


def test_fail_to_pass_resolves_and_pass_on_an_unknown_key_is_not_news() -> None:
    opened = plan_transitions([_finding(Status.FAIL)], {}, T0).updated
    fixed = plan_transitions([_finding(Status.PASS)], opened, T0 + timedelta(minutes=1))
    assert [t.kind for t in fixed.transitions] == [TransitionKind.RESOLVED]
    assert plan_transitions([_finding(Status.PASS)], fixed.updated, T0).transitions == ()
    assert plan_transitions([_finding(Status.PASS)], {}, T0).transitions == ()


def test_a_broken_again_key_reopens_and_counts_it() -> None:
    opened = plan_transitions([_finding(Status.FAIL)], {}, T0).updated
    fixed = plan_transitions([_finding(Status.PASS)], opened, T0 + timedelta(minutes=1)).updated
    reopened = plan_transitions([_finding(Status.FAIL)], fixed, T0 + timedelta(minutes=2))
    assert [t.kind for t in reopened.transitions] == [TransitionKind.OPENED]
    state = reopened.updated[finding_key(_finding(Status.FAIL))]
    assert state.reopen_count == 1 and state.is_open


def test_an_accepted_risk_is_recorded_but_not_alerted_and_errors_change_nothing() -> None:
    suppressed = plan_transitions([_finding(Status.SUPPRESSED)], {}, T0)
    assert suppressed.transitions == () and len(suppressed.updated) == 1
    assert plan_transitions([_finding(Status.ERROR)], {}, T0).updated == {}


def test_a_deletion_closes_every_open_key_of_the_resource() -> None:
    keys = resource_keys(ResourceKind.REPLICATION_GROUP, "orders", "123456789012", "eu-west-1")
    assert ("CW-401", "123456789012", "eu-west-1", "replication_group", "orders") in keys
    state = KeyHistory(severity=Severity.HIGH, first_seen=T0, last_seen=T0, opened_at=T0)
    closed = replace_resolved(state)
    plan = plan_deletion({keys[0]: state, keys[1]: closed}, T0)
    assert [(t.kind, t.key) for t in plan.transitions] == [(TransitionKind.DELETED, keys[0])]
    assert not plan.updated[keys[0]].is_open


def replace_resolved(state: KeyHistory) -> KeyHistory:
    from dataclasses import replace

    return replace(state, resolved_at=T0)


def test_minimum_severity_and_quiet_hours_that_span_midnight() -> None:
    quiet = parse_quiet_hours("22:00-07:00")
    assert quiet == QuietHours(time(22), time(7))
    rules = {"minimum": Severity.MEDIUM, "quiet": quiet, "quiet_below": Severity.HIGH}
    assert not worth_posting(Severity.LOW, local_time=time(12), **rules)  # type: ignore[arg-type]
    assert worth_posting(Severity.MEDIUM, local_time=time(12), **rules)  # type: ignore[arg-type]
    assert not worth_posting(Severity.MEDIUM, local_time=time(23, 30), **rules)  # type: ignore[arg-type]
    assert not worth_posting(Severity.MEDIUM, local_time=time(6, 59), **rules)  # type: ignore[arg-type]
    assert worth_posting(Severity.HIGH, local_time=time(3), **rules)  # type: ignore[arg-type]
    assert parse_quiet_hours("") is None
