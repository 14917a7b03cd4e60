"""posture.overlaps: the implication pairs, and one report line per root cause."""

from __future__ import annotations

from posture.base import ResourceKind, Severity
from posture.catalog import get_rule
from posture.findings import Status
from posture.overlaps import IMPLIES, STRONGER_OF, root_causes
from tests.unit.render.slack_checks import make_finding


def test_every_pair_names_two_rules_of_one_category_on_shared_resource_kinds() -> None:
    for stronger, weaker in IMPLIES:
        strong, weak = get_rule(stronger), get_rule(weaker)
        assert strong.category is weak.category, (stronger, weaker)
        assert set(strong.resource_kinds) & set(weak.resource_kinds), (stronger, weaker)
        assert strong.severity.rank >= weak.severity.rank, "the lead is never the milder one"


def test_the_pairs_have_no_cycles() -> None:
    for _, weaker in IMPLIES:
        seen, frontier = {weaker}, list(STRONGER_OF.get(weaker, ()))
        while frontier:
            rule = frontier.pop()
            assert rule != weaker, f"{weaker} implies itself"
            if rule not in seen:
                seen.add(rule)
                frontier.extend(STRONGER_OF.get(rule, ()))


def test_the_pairs_named_in_issue_13_are_folded() -> None:
    assert {("CW-304", "CW-305"), ("CW-605", "CW-606"), ("CW-101", "CW-102")} <= set(IMPLIES)


def test_a_weaker_finding_folds_under_the_stronger_on_the_same_resource_only() -> None:
    findings = [
        make_finding(rule_id="CW-305", resource_id="open", severity=Severity.MEDIUM),
        make_finding(rule_id="CW-304", resource_id="open", severity=Severity.CRITICAL),
        make_finding(rule_id="CW-305", resource_id="other", severity=Severity.MEDIUM),
        make_finding(rule_id="CW-304", resource_id="open", region="us-east-1"),
    ]
    causes = root_causes(findings)
    shown = [(c.lead.rule_id, c.lead.resource_id, c.lead.region, c.also) for c in causes]
    assert shown == [
        ("CW-304", "open", "eu-west-1", ("CW-305",)),
        ("CW-305", "other", "eu-west-1", ()),
        ("CW-304", "open", "us-east-1", ()),
    ]


def test_leases_fold_and_a_suppressed_lead_does_not_hide_a_failing_weaker_one() -> None:
    lease = {"resource_id": "ri-1", "kind": ResourceKind.RESERVED_NODE}
    folded = root_causes(
        [
            make_finding(rule_id="CW-606", severity=Severity.INFO, **lease),  # type: ignore[arg-type]
            make_finding(rule_id="CW-605", severity=Severity.LOW, **lease),  # type: ignore[arg-type]
        ]
    )
    assert [(c.lead.rule_id, c.also) for c in folded] == [("CW-605", ("CW-606",))]
    apart = root_causes(
        [
            make_finding(rule_id="CW-304", status=Status.SUPPRESSED, resource_id="x"),
            make_finding(rule_id="CW-305", resource_id="x"),
        ]
    )
    assert [(c.lead.rule_id, c.also) for c in apart] == [("CW-304", ()), ("CW-305", ())]
