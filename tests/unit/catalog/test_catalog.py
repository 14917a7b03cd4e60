"""Catalog integrity: every rule complete, every alias resolving to exactly one target."""

from __future__ import annotations

import re

import pytest

from posture.base import Severity
from posture.catalog import (
    Control,
    FixKind,
    Rule,
    UnknownIdError,
    all_controls,
    all_rules,
    finding_aliases,
    get_rule,
    resolve,
)

RULES = all_rules()
EXPECTED_IDS = (
    [f"CW-10{i}" for i in range(1, 6)]
    + [f"CW-20{i}" for i in range(1, 7)]
    + [f"CW-30{i}" for i in range(1, 8)]
    + [f"CW-40{i}" for i in range(1, 8)]
    + [f"CW-50{i}" for i in range(1, 6)]
    + [f"CW-60{i}" for i in range(1, 10)]
)


def test_catalog_holds_every_specified_rule() -> None:
    assert [rule.id for rule in RULES] == EXPECTED_IDS


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule: Rule) -> None:
    assert rule.rationale.strip() and rule.audit.strip() and rule.backout.strip()
    assert rule.remediation.console and rule.remediation.permissions
    assert rule.audit.lstrip().startswith("aws ")
    assert rule.remediation.cli.lstrip().startswith("aws ")
    if rule.remediation.fix_kind is not FixKind.MANUAL:
        assert rule.remediation.cloudformation, "an automatable fix needs CloudFormation"
        assert rule.remediation.terraform, "an automatable fix needs Terraform"
    if rule.remediation.terraform:
        assert re.search(r'^resource "aws_\w+" "\w+" \{', rule.remediation.terraform, re.M)


def test_every_alias_resolves_to_exactly_its_rule() -> None:
    seen: dict[str, str] = {}
    for rule in RULES:
        for alias in rule.all_aliases():
            assert alias.casefold() not in seen, (
                f"{alias} on {seen.get(alias.casefold())} and {rule.id}"
            )
            seen[alias.casefold()] = rule.id
            assert resolve(alias) is rule
            assert resolve(alias.upper()) is rule


def test_controls_list_real_rules_and_own_their_id() -> None:
    for control in all_controls():
        resolved = resolve(control.id)
        assert isinstance(resolved, Control)
        for rule_id in control.rules:
            assert get_rule(rule_id).id == rule_id
            assert control.id in finding_aliases(rule_id)[str(control.framework)]


def test_ec014_is_a_control_of_in_transit_and_at_rest() -> None:
    control = resolve("ec-014")
    assert isinstance(control, Control)
    assert control.rules == ("CW-101", "CW-103")


def test_security_hub_id_resolves_to_in_transit_rule() -> None:
    rule = resolve("ElastiCache.5")
    assert isinstance(rule, Rule) and rule.id == "CW-101"


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("EC-14", "EC-014"),
        ("cw101", "CW-101"),
        ("elasticache 5", "ElastiCache.5"),
        ("CW-1O1", "CW-101"),
    ],
)
def test_near_miss_suggests(query: str, suggestion: str) -> None:
    with pytest.raises(UnknownIdError) as caught:
        resolve(query)
    assert suggestion in caught.value.suggestions
    assert suggestion in str(caught.value)


def test_unknown_id_without_neighbours_has_no_suggestion() -> None:
    with pytest.raises(UnknownIdError) as caught:
        resolve("definitely-not-a-rule-zzz")
    assert caught.value.suggestions == ()


def test_severities_are_the_specified_defaults() -> None:
    assert get_rule("CW-304").severity is Severity.CRITICAL
    assert get_rule("CW-101").severity is Severity.HIGH
    assert get_rule("CW-306").severity is Severity.LOW
