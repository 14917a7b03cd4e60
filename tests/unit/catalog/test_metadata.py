"""Rule metadata that findings rely on: category, failure headline, kinds, alias notes.

Every list of rules here comes from the catalog, so a rule added later is covered
without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from posture.base import ResourceKind, Severity
from posture.catalog import Rule, UnknownIdError, all_rules, get_rule, resolve
from posture.catalog.model import RuleCategory
from posture.rules.context import RuleCheck, passed
from posture.rules.registry import REGISTRY, kind_mismatches, rule_ids, rules_for_kind

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_failure_headline_says_what_is_wrong_not_the_title(rule: Rule) -> None:
    assert rule.failure != rule.title
    assert len(rule.failure) <= 90
    assert not rule.failure.endswith(".")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_cost_family_is_the_cost_category_at_low_or_info(rule: Rule) -> None:
    if rule.id.startswith("CW-6"):
        assert rule.category is RuleCategory.COST
        assert rule.severity in (Severity.LOW, Severity.INFO)
    else:
        assert rule.category is RuleCategory.SECURITY


def _fields(rule: Rule, **changes: Any) -> dict[str, Any]:
    data = rule.model_dump()
    data.update(changes)
    return data


def test_category_and_failure_are_required() -> None:
    base = get_rule("CW-101")
    for missing in ("category", "failure"):
        data = _fields(base)
        del data[missing]
        with pytest.raises(ValidationError, match=missing):
            Rule.model_validate(data)


def test_a_cost_rule_cannot_rank_with_security_highs() -> None:
    with pytest.raises(ValidationError, match="low or info"):
        Rule.model_validate(_fields(get_rule("CW-609"), severity=Severity.HIGH))


def test_only_the_cost_family_is_cost() -> None:
    with pytest.raises(ValidationError, match="CW-6xx"):
        Rule.model_validate(_fields(get_rule("CW-101"), category=RuleCategory.COST))


def test_an_alias_note_must_name_one_of_the_rules_aliases() -> None:
    with pytest.raises(ValidationError, match="not one of its aliases"):
        Rule.model_validate(
            _fields(get_rule("CW-403"), alias_notes={"CKV_AWS_999": "a note long enough here"})
        )


def test_unauthenticated_caches_rank_alike_whatever_the_version() -> None:
    # CW-201 (Redis OSS < 6.0, no AUTH) and CW-202 (6.0+, no AUTH, no RBAC) are one exposure.
    assert get_rule("CW-201").severity is get_rule("CW-202").severity is Severity.HIGH


def test_catalog_ids_equal_registry_ids() -> None:
    assert {rule.id for rule in RULES} == set(rule_ids())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_checks_run_on_exactly_the_kinds_the_catalog_lists(rule: Rule) -> None:
    checked = {entry.kind for entry in REGISTRY if entry.rule_id == rule.id}
    assert checked == set(rule.resource_kinds)
    for kind in rule.resource_kinds:
        assert rule.id in rules_for_kind(kind)


@pytest.mark.parametrize(
    ("rule_id", "kinds"),
    [
        pytest.param("CW-102", {"replication_group", "cache_cluster", "serverless_cache"}),
        pytest.param("CW-203", {"replication_group", "serverless_cache"}),
        pytest.param("CW-504", {"replication_group", "cache_cluster"}),
        pytest.param("CW-604", {"replication_group", "cache_cluster"}),
    ],
)
def test_kinds_that_used_to_disagree(rule_id: str, kinds: set[str]) -> None:
    assert {str(kind) for kind in get_rule(rule_id).resource_kinds} == kinds


def test_registry_validation_names_each_disagreement() -> None:
    def check(resource: object, ctx: object) -> object:
        return passed("fine")

    stray = RuleCheck("CW-203", ResourceKind.USER, check)  # type: ignore[arg-type]
    unknown = RuleCheck("CW-699", ResourceKind.ACCOUNT, check)  # type: ignore[arg-type]
    without_cw101 = tuple(e for e in REGISTRY if e.rule_id != "CW-101")
    problems = kind_mismatches((*without_cw101, stray, unknown))
    assert any(p.startswith("CW-203: catalog lists") and "user" in p for p in problems)
    assert "CW-699 has checks but no catalog entry" in problems
    assert "CW-101 is in the catalog but has no check" in problems
    assert kind_mismatches(REGISTRY) == []


@pytest.mark.parametrize(
    ("alias", "rule_id", "note_mentions"),
    [
        # Prowler fails retention under minimum_snapshot_retention_period (7): a retention rule.
        pytest.param("elasticache_redis_cluster_backup_enabled", "CW-402", "7 by default"),
        pytest.param(
            "elasticache_redis_cluster_automatic_backup_retention_15_days", "CW-402", "15 days"
        ),
        pytest.param("elasticache-redis-cluster-automatic-backup-check", "CW-402", "15"),
        # Config wants an RBAC user group on Redis 6+; CW-202 also accepts an AUTH token.
        pytest.param("elasticache-rbac-auth-enabled", "CW-202", "AUTH token alone"),
        # Checkov wants TLS and an auth token together, on any engine version.
        pytest.param("CKV_AWS_31", "CW-201", "transit encryption is on and an AUTH token"),
        pytest.param("elasticache-auto-minor-version-upgrade-check", "CW-405", "before 6.0"),
    ],
)
def test_aliases_that_differ_resolve_and_say_how(
    alias: str, rule_id: str, note_mentions: str
) -> None:
    rule = resolve(alias)
    assert isinstance(rule, Rule) and rule.id == rule_id
    note = rule.note_for(alias.upper())
    assert note is not None and note_mentions in note


@pytest.mark.parametrize(
    ("alias", "rule_id"),
    [
        pytest.param("elasticache-repl-grp-auto-failover-enabled", "CW-403"),
        pytest.param("elasticache-auto-minor-version-upgrade-check", "CW-405"),
    ],
)
def test_config_rules_added_as_aliases(alias: str, rule_id: str) -> None:
    found = resolve(alias)
    assert isinstance(found, Rule) and found.id == rule_id


def test_backups_on_no_longer_claims_prowlers_retention_check() -> None:
    assert "elasticache_redis_cluster_backup_enabled" not in get_rule("CW-401").all_aliases()


def test_every_alias_note_belongs_to_an_alias_that_resolves_to_its_rule() -> None:
    for rule in RULES:
        for alias in rule.alias_notes:
            assert resolve(alias) is rule


def test_conformity_ec008_is_known_but_maps_to_no_rule() -> None:
    # EC-008 reviews recent reserved-node purchases; no rule of ours checks that.
    with pytest.raises(UnknownIdError) as caught:
        resolve("ec-008")
    assert caught.value.unmapped is not None
    assert "recent purchases" in str(caught.value)
    assert "reserved-cache-node-recent-purchases.html" in str(caught.value)
    assert all("EC-008" not in rule.all_aliases() for rule in RULES)
