"""Catalog integrity: every rule complete, every alias resolving to exactly one target."""

from __future__ import annotations

import re
from pathlib import Path

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
from posture.rules.registry import REGISTRY

RULES = all_rules()
RULE_TESTS = Path(__file__).parents[1] / "rules"


def test_ids_are_unique_sorted_and_numbered_without_gaps_per_family() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == sorted(set(ids))
    by_hundred: dict[str, list[Rule]] = {}
    for rule in RULES:
        by_hundred.setdefault(rule.id[3], []).append(rule)
    assert sorted(by_hundred) == ["1", "2", "3", "4", "5", "6"]
    for hundred, rules in by_hundred.items():
        assert len({rule.family for rule in rules}) == 1, f"CW-{hundred}xx spans families"
        numbers = [int(rule.id[4:]) for rule in rules]
        assert numbers == list(range(1, len(numbers) + 1)), f"CW-{hundred}xx has a gap"


def _rule_tests() -> str:
    return "\n".join(path.read_text() for path in RULE_TESTS.glob("test_*.py"))


def test_every_rule_has_its_own_table_tests() -> None:
    """Each rule's id or its check function is named in tests/unit/rules."""
    text = _rule_tests()
    check_names = {entry.rule_id: entry.check.__name__ for entry in REGISTRY}
    untested = [
        rule.id
        for rule in RULES
        if rule.id not in text and not re.search(rf"\b{check_names[rule.id]}\b", text)
    ]
    assert not untested, f"no test in tests/unit/rules names {untested} or its check"


def test_every_rule_the_rule_tests_name_is_in_the_catalog() -> None:
    named = set(re.findall(r"CW-\d{3}", _rule_tests()))
    assert named, "the rule tests name no rule at all"
    assert named <= {rule.id for rule in RULES}


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
