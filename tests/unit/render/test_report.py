"""build_findings_thread and summarise: what the renderers are given."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from posture.base import ResourceKind, Severity
from posture.findings import Status
from posture.messages import AuditState, FindingAction
from posture.report import build_findings_thread, finding_id, summarise
from tests.unit.render.slack_checks import make_finding

FIXABLE = frozenset({"CW-101"})


def test_only_failing_findings_become_lines() -> None:
    findings = [
        make_finding(1, status=Status.FAIL),
        make_finding(2, status=Status.PASS),
        make_finding(3, status=Status.NOT_APPLICABLE),
        make_finding(4, status=Status.SUPPRESSED),
        make_finding(5, status=Status.ERROR, evidence="AccessDenied on DescribeReplicationGroups"),
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=FIXABLE)
    assert [r.resource_id for r in thread.resources] == ["orders-1"]
    assert len(thread.errors) == 1
    assert "CW-101" in thread.errors[0] and "orders-5" in thread.errors[0]
    assert "AccessDenied on DescribeReplicationGroups" in thread.errors[0]
    assert "123456789012" in thread.errors[0] and "eu-west-1" in thread.errors[0]


def test_findings_group_by_kind_id_account_and_region() -> None:
    findings = [
        make_finding(rule_id="CW-101", resource_id="orders"),
        make_finding(rule_id="CW-102", resource_id="orders"),
        make_finding(rule_id="CW-101", resource_id="orders", region="us-east-1"),
        make_finding(rule_id="CW-101", resource_id="orders", account="210987654321"),
        make_finding(rule_id="CW-104", resource_id="orders", kind=ResourceKind.CACHE_CLUSTER),
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=FIXABLE)
    groups = {(r.resource_kind, r.account, r.region): len(r.findings) for r in thread.resources}
    assert groups == {
        ("replication_group", "123456789012", "eu-west-1"): 2,
        ("replication_group", "123456789012", "us-east-1"): 1,
        ("replication_group", "210987654321", "eu-west-1"): 1,
        ("cache_cluster", "123456789012", "eu-west-1"): 1,
    }


def test_resources_most_severe_first_then_by_id() -> None:
    findings = [
        make_finding(rule_id="CW-101", resource_id="b-low", severity=Severity.LOW),
        make_finding(rule_id="CW-101", resource_id="a-low", severity=Severity.LOW),
        make_finding(rule_id="CW-102", resource_id="z-mixed", severity=Severity.INFO),
        make_finding(rule_id="CW-103", resource_id="z-mixed", severity=Severity.CRITICAL),
        make_finding(rule_id="CW-101", resource_id="m-high", severity=Severity.HIGH),
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=FIXABLE)
    assert [r.resource_id for r in thread.resources] == ["z-mixed", "m-high", "a-low", "b-low"]


def test_findings_within_a_resource_most_severe_first_then_rule_id() -> None:
    findings = [
        make_finding(rule_id="CW-301", resource_id="r", severity=Severity.MEDIUM),
        make_finding(rule_id="CW-105", resource_id="r", severity=Severity.LOW),
        make_finding(rule_id="CW-202", resource_id="r", severity=Severity.CRITICAL),
        make_finding(rule_id="CW-102", resource_id="r", severity=Severity.MEDIUM),
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=FIXABLE)
    (resource,) = thread.resources
    assert [line.rule_id for line in resource.findings] == ["CW-202", "CW-102", "CW-301", "CW-105"]
    assert resource.worst is Severity.CRITICAL


def test_actions_offer_a_fix_only_for_fixable_rules() -> None:
    findings = [
        make_finding(rule_id="CW-101", resource_id="r"),
        make_finding(rule_id="CW-404", resource_id="r"),
    ]
    thread = build_findings_thread("run-1", findings, fixable_rules=FIXABLE)
    by_rule = {line.rule_id: line.actions for line in thread.resources[0].findings}
    assert by_rule["CW-101"] == (
        FindingAction.EXPLAIN,
        FindingAction.REQUEST_FIX,
        FindingAction.ACCEPT_RISK,
    )
    assert by_rule["CW-404"] == (FindingAction.EXPLAIN, FindingAction.ACCEPT_RISK)


def test_a_repeated_finding_key_is_listed_once() -> None:
    """Finding.key (and so the button id) names rule, account, region and resource id."""
    twice = [make_finding(rule_id="CW-101", resource_id="r")] * 2
    thread = build_findings_thread("run-1", twice, fixable_rules=FIXABLE)
    assert len(thread.resources[0].findings) == 1


def test_engine_comes_from_the_findings() -> None:
    thread = build_findings_thread("run-1", [make_finding(1)], fixable_rules=FIXABLE)
    assert thread.resources[0].engine == "redis"
    assert thread.run_id == "run-1"


def test_finding_id_is_short_opaque_and_stable() -> None:
    finding = make_finding(1)
    first = finding_id("run-1", finding)
    assert re.fullmatch(r"[0-9a-f]{1,32}", first)
    assert finding_id("run-1", make_finding(1, evidence="other text")) == first
    assert finding_id("run-2", finding) != first
    assert finding_id("run-1", make_finding(2)) != first


@given(st.lists(st.text(max_size=12), min_size=2, max_size=2, unique=True))
def test_finding_ids_differ_for_different_resources(names: list[str]) -> None:
    ids = {finding_id("run", make_finding(resource_id=name)) for name in names}
    assert len(ids) == 2


def test_thread_lines_carry_the_finding_id() -> None:
    finding = make_finding(7)
    thread = build_findings_thread("run-9", [finding], fixable_rules=FIXABLE)
    assert thread.resources[0].findings[0].finding_id == finding_id("run-9", finding)


def test_summarise_counts_every_status_and_severity() -> None:
    findings = [
        make_finding(1, status=Status.PASS),
        make_finding(2, status=Status.PASS),
        make_finding(3, severity=Severity.CRITICAL),
        make_finding(4, severity=Severity.HIGH),
        make_finding(5, severity=Severity.HIGH),
        make_finding(6, status=Status.NOT_APPLICABLE),
        make_finding(7, status=Status.ERROR),
        make_finding(8, status=Status.SUPPRESSED, severity=Severity.CRITICAL),
        make_finding(9, region="us-east-1", account="210987654321", status=Status.PASS),
    ]
    summary = summarise(
        "run-1", iter(findings), scope="all", state=AuditState.DONE, requested_by="U123"
    )
    assert (summary.passed, summary.not_applicable, summary.errors, summary.suppressed) == (
        3,
        1,
        1,
        1,
    )
    assert (summary.failing.critical, summary.failing.high, summary.failing.total) == (1, 2, 3)
    assert (summary.accounts, summary.regions) == (2, 2)
    assert summary.pass_rate == 0.5
    assert summary.state is AuditState.DONE and summary.scope == "all"


def test_summarise_counts_cost_apart_from_security() -> None:
    findings = [
        make_finding(1, rule_id="CW-101", severity=Severity.HIGH),
        make_finding(2, rule_id="CW-609", severity=Severity.HIGH),  # a policy may raise it
        make_finding(3, rule_id="CW-604", severity=Severity.LOW),
        make_finding(4, rule_id="CW-605", status=Status.PASS),
    ]
    summary = summarise("run-1", findings, scope="all", state=AuditState.DONE, requested_by="U")
    assert (summary.failing.high, summary.failing.total) == (1, 1)
    assert (summary.cost.high, summary.cost.low, summary.cost.total) == (1, 1, 2)
    assert summary.pass_rate == 0.25


def test_thread_lines_lead_with_the_failure_headline() -> None:
    failing = make_finding(1, rule_id="CW-405")
    (line,) = build_findings_thread("r", [failing], fixable_rules=FIXABLE).resources[0].findings
    assert line.headline == "Auto minor version upgrade is off" == failing.headline
    assert line.title == failing.title


def test_summarise_keeps_given_reach_and_progress() -> None:
    summary = summarise(
        "run-1",
        [],
        scope="orders-prod",
        state=AuditState.RUNNING,
        requested_by="U123",
        parts_done=3,
        parts_total=6,
        accounts=4,
        regions=7,
    )
    assert (summary.accounts, summary.regions, summary.parts_done) == (4, 7, 3)
    assert summary.pass_rate is None
