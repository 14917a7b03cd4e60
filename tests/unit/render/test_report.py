"""build_findings_thread and summarise: what the renderers are given."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status
from posture.messages import AuditState, FindingAction
from posture.report import build_findings_thread, finding_id, summarise
from posture.suppressions import AcceptedRisk
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
    # Failing first; an accepted (suppressed) finding is listed too, as accepted, after it.
    assert [r.resource_id for r in thread.resources] == ["orders-1", "orders-4"]
    assert thread.resources[1].findings[0].status is Status.SUPPRESSED
    assert thread.resources[1].findings[0].actions == (FindingAction.EXPLAIN,)
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
        ("replication_group", "123456789012", "eu-west-1"): 1,  # CW-102 folds under CW-101
        ("replication_group", "123456789012", "us-east-1"): 1,
        ("replication_group", "210987654321", "eu-west-1"): 1,
        ("cache_cluster", "123456789012", "eu-west-1"): 1,
    }
    folded = next(r for r in thread.resources if r.region == "eu-west-1" and r.resource_kind == "replication_group" and r.account == "123456789012")  # fmt: skip
    assert folded.findings[0].rule_id == "CW-101" and folded.findings[0].also == ("CW-102",)


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


def _risk(finding: Finding, by: str = "U0SECURITY") -> AcceptedRisk:
    return AcceptedRisk(
        rule_id=finding.rule_id,
        account=finding.account,
        region=finding.region,
        resource_kind=finding.resource_kind,
        resource_id=finding.resource_id,
        reason="cache only, rebuilt nightly",
        requested_by="U0ENGINEER",
        accepted_by=by,
        accepted_at=datetime(2026, 12, 1, tzinfo=UTC),
        until=datetime(2027, 1, 5, tzinfo=UTC),
        request_id="req00001",
    )


def test_summary_names_the_worst_security_root_causes_and_keeps_cost_apart() -> None:
    findings = [
        make_finding(rule_id="CW-609", resource_id="rn-1", kind=ResourceKind.RESERVED_NODE),
        make_finding(rule_id="CW-304", resource_id="open", severity=Severity.CRITICAL),
        make_finding(rule_id="CW-305", resource_id="open", severity=Severity.MEDIUM),
        make_finding(rule_id="CW-203", resource_id="users", severity=Severity.HIGH),
        make_finding(rule_id="CW-306", resource_id="port", severity=Severity.LOW),
        make_finding(rule_id="CW-405", resource_id="old", severity=Severity.HIGH),
    ]
    summary = summarise("r", findings, scope="all", state=AuditState.DONE, requested_by="U")
    assert [(t.rule_id, t.resource_id) for t in summary.top] == [
        ("CW-304", "open"),
        ("CW-203", "users"),
        ("CW-405", "old"),
    ]
    assert summary.top[0].also == ("CW-305",)
    assert summary.top[0].headline == "Cache port open to 0.0.0.0/0 or ::/0"
    assert [t.rule_id for t in summary.cost_top] == ["CW-609"]
    assert summary.failing.total == 4 and summary.folded == 1  # CW-305 is not counted twice
    assert summary.cost.total == 1


def test_fixed_findings_count_as_resolved_and_accepted_ones_never_do() -> None:
    fixed = make_finding(rule_id="CW-101", resource_id="fixed")
    kept = make_finding(rule_id="CW-401", resource_id="kept", status=Status.SUPPRESSED)
    still = make_finding(rule_id="CW-405", resource_id="still")
    summary = summarise(
        "r",
        [fixed, kept, still],
        accepted=[_risk(kept)],
        resolved={fixed.key: "U0ENGINEER"},
        scope="all",
        state=AuditState.DONE,
        requested_by="U",
    )
    assert summary.resolved == 1 and summary.suppressed == 1 and summary.failing.total == 1
    assert [t.rule_id for t in summary.top] == ["CW-405"]
    (accepted,) = summary.accepted
    assert (accepted.rule_id, accepted.accepted_by) == ("CW-401", "U0SECURITY")
    assert accepted.until.date().isoformat() == "2027-01-05"


def test_only_modify_rules_with_a_fixer_offer_request_fix() -> None:
    from workers.audit.publish import fixable_rules

    fixable = fixable_rules()
    assert {"CW-101", "CW-304", "CW-401", "CW-405"} <= fixable
    # Rebuild runbooks (CW-103, CW-302) and manual steps (CW-502, CW-605) are not a fix request.
    assert not {"CW-103", "CW-302", "CW-502", "CW-605", "CW-204"} & fixable


def test_one_rule_failing_on_many_resources_is_one_top_line_that_counts_them() -> None:
    findings = [
        make_finding(rule_id="CW-605", resource_id=f"ri-{n}", kind=ResourceKind.RESERVED_NODE)
        for n in range(3)
    ] + [make_finding(rule_id="CW-609", resource_id="ri-9", kind=ResourceKind.RESERVED_NODE)]
    summary = summarise("r", findings, scope="all", state=AuditState.DONE, requested_by="U")
    assert [(t.rule_id, t.resource_id, t.others) for t in summary.cost_top] == [
        ("CW-605", "ri-0", 2),
        ("CW-609", "ri-9", 0),
    ]


def test_thread_lines_drop_the_subject_their_heading_already_names() -> None:
    evidence = "replication group orders-1 (redis 7.1.0) has no AUTH token: any client can connect"
    finding = make_finding(1, evidence=evidence)
    (line,) = build_findings_thread("r", [finding], fixable_rules=FIXABLE).resources[0].findings
    assert line.evidence == "has no AUTH token: any client can connect"
    other = make_finding(2, evidence="AccessDenied on DescribeUsers")
    (kept,) = build_findings_thread("r", [other], fixable_rules=FIXABLE).resources[0].findings
    assert kept.evidence == "AccessDenied on DescribeUsers"
