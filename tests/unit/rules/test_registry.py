"""The registry covers every rule; the context indexes the inventory correctly."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from posture.base import ResourceKind
from posture.catalog import all_rules, get_rule
from posture.resources import CollectionError
from posture.rules.context import RuleContext, Verdict, check, passed
from posture.rules.coverage import affected_rules, normalise_operation
from posture.rules.registry import (
    REGISTRY,
    identify_scope,
    kind_mismatches,
    registry_entries,
    resources_of_kind,
    rule_ids,
    rules_for_kind,
)
from tests.unit.rules.world import (
    ACCOUNT,
    CMK_ARN,
    NOW,
    REGION,
    policy,
    replication_group,
    standalone_cluster,
)


def test_every_catalog_rule_has_a_check_and_every_check_a_rule() -> None:
    catalog_ids = [rule.id for rule in all_rules()]
    assert len(catalog_ids) >= 39  # the design's rules; new ones only add
    assert list(rule_ids()) == catalog_ids


def test_no_rule_is_registered_twice_for_one_kind() -> None:
    pairs = [(entry.rule_id, entry.kind) for entry in REGISTRY]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(
    ("rule_id", "kinds"),
    [
        pytest.param(
            "CW-101", {"replication_group", "cache_cluster", "serverless_cache"}, id="cw101"
        ),
        pytest.param("CW-205", {"serverless_cache"}, id="cw205"),
        pytest.param("CW-503", {"account_region"}, id="cw503"),
        pytest.param("CW-505", {"account"}, id="cw505"),
        pytest.param("CW-609", {"reserved_node"}, id="cw609"),
    ],
)
def test_rules_apply_to_their_kinds(rule_id: str, kinds: set[str]) -> None:
    assert {str(e.kind) for e in REGISTRY if e.rule_id == rule_id} == kinds


def test_member_clusters_are_reported_on_their_group_only() -> None:
    _, inv = replication_group(
        CacheClusters=[standalone_cluster()[1].cache_clusters[0].model_dump(by_alias=True)]
    )
    clusters = resources_of_kind(inv, ResourceKind.CACHE_CLUSTER)
    assert [c.cache_cluster_id for c in clusters] == ["sessions"]  # type: ignore[attr-defined]
    assert resources_of_kind(inv, ResourceKind.ACCOUNT_REGION) == (inv,)


def test_scope_identity() -> None:
    _, inv = replication_group()
    assert identify_scope(ResourceKind.ACCOUNT_REGION, inv).resource_id == f"{ACCOUNT}/{REGION}"
    assert identify_scope(ResourceKind.ACCOUNT, inv).region == "global"


def test_members_found_by_group_id_even_when_the_group_omits_them() -> None:
    group, inv = replication_group(
        members=2, group={"MemberClusters": ["orders-002", "orders-009"]}
    )
    ctx = RuleContext.build(inv, policy(), NOW)
    assert [m.cache_cluster_id for m in ctx.members(group)] == ["orders-002", "orders-001"]
    assert ctx.missing_members(group) == ("orders-009",)


@pytest.mark.parametrize(
    ("reference", "stored_arn"),
    [
        pytest.param("key-cmk", CMK_ARN, id="key-id"),
        pytest.param(CMK_ARN, CMK_ARN, id="key-arn"),
        pytest.param(CMK_ARN, "", id="arn-matched-on-trailing-id"),
    ],
)
def test_kms_key_lookup(reference: str, stored_arn: str) -> None:
    _, inv = replication_group(KmsKeys=[{"KeyId": "key-cmk", "Arn": stored_arn}])
    found = RuleContext.build(inv, policy(), NOW).kms_key(reference)
    assert found is not None and found.key_id == "key-cmk"


def test_kms_alias_is_not_guessed() -> None:
    _, inv = replication_group()
    alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/cache"
    assert RuleContext.build(inv, policy(), NOW).kms_key(alias) is None


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        pytest.param("DescribeCacheClusters", "describecacheclusters", id="pascal"),
        pytest.param("describe_cache_clusters", "describecacheclusters", id="snake"),
        pytest.param("elasticache:DescribeCacheClusters", "describecacheclusters", id="iam-style"),
        pytest.param("ec2.describe_security_groups", "describesecuritygroups", id="dotted"),
    ],
)
def test_operation_names_normalise(operation: str, expected: str) -> None:
    assert normalise_operation(operation) == expected


def error(operation: str, kind: str | None = None) -> CollectionError:
    return CollectionError.model_validate(
        {"Operation": operation, "Code": "AccessDenied", "Message": "denied", "ResourceKind": kind}
    )


@pytest.mark.parametrize(
    ("failed", "included", "excluded"),
    [
        pytest.param(
            error("ec2:DescribeSecurityGroups"),
            {"CW-304", "CW-305"},
            {"CW-101", "CW-303"},
            id="security-groups",
        ),
        pytest.param(
            error("describe_cache_clusters"),
            {"CW-301", "CW-406", "CW-603", "CW-609"},
            {"CW-205"},
            id="clusters",
        ),
        pytest.param(error("DescribeRouteTables"), {"CW-303"}, {"CW-302"}, id="route-tables"),
        pytest.param(error("GetResources"), {"CW-502"}, {"CW-501"}, id="tags"),
        pytest.param(
            error("SomethingNew", "serverless_cache"),
            set(rules_for_kind(ResourceKind.SERVERLESS_CACHE)),
            {"CW-403"},
            id="by-kind",
        ),
        pytest.param(error("DescribeUsers", "user"), {"CW-203", "CW-206"}, {"CW-202"}, id="users"),
    ],
)
def test_collection_errors_mark_the_rules_they_starve(
    failed: CollectionError, included: set[str], excluded: set[str]
) -> None:
    affected = affected_rules(failed)
    assert included <= affected
    assert not excluded & affected


def test_unknown_operation_marks_every_rule() -> None:
    assert affected_rules(error("SomethingNew")) == frozenset(rule.id for rule in all_rules())


def test_known_operation_wins_over_the_kind_it_was_tagged_with() -> None:
    # The collector tags GetMetricData with cache_cluster; only CW-604 lost data.
    assert affected_rules(error("GetMetricData", "cache_cluster")) == {"CW-604"}


def test_unreachable_region_marks_every_rule() -> None:
    unreachable = CollectionError.model_validate(
        {"Operation": "DescribeReplicationGroups", "Code": "OptInRequired", "Message": "opt in"}
    )
    assert affected_rules(unreachable) == frozenset(rule.id for rule in all_rules())


def _family(name: str, **members: object) -> ModuleType:
    module = ModuleType(name)
    for attribute, value in members.items():
        if callable(value):
            value.__module__ = name  # type: ignore[union-attr]
        setattr(module, attribute, value)
    return module


def _fine(resource: object, ctx: RuleContext) -> Verdict:
    return passed("fine")


def test_a_marked_check_runs_on_every_kind_its_catalog_entry_lists() -> None:
    marked = check(get_rule("CW-104"))(_copy(_fine))
    entries = registry_entries([_family("fake_family", check_cmk=marked)])
    assert [e.kind for e in entries] == list(get_rule("CW-104").resource_kinds)
    assert {e.check for e in entries} == {marked}


def test_a_check_imported_from_another_family_is_not_counted_twice() -> None:
    marked = check(get_rule("CW-104"))(_copy(_fine))
    home = _family("home_family", check_cmk=marked)
    borrower = ModuleType("borrower")
    borrower.check_cmk = marked  # type: ignore[attr-defined]
    assert len(registry_entries([home, borrower])) == len(get_rule("CW-104").resource_kinds)


def test_two_checks_for_one_rule_or_a_check_without_a_rule_are_refused() -> None:
    twice = _family(
        "twice",
        a=check(get_rule("CW-104"))(_copy(_fine)),
        b=check(get_rule("CW-104"))(_copy(_fine)),
    )
    with pytest.raises(ValueError, match="CW-104 has two checks"):
        registry_entries([twice])
    known = {rule.id for rule in all_rules()}
    unknown = next(f"CW-{n}" for n in range(699, 100, -1) if f"CW-{n}" not in known)
    stray = registry_entries(
        [
            _family(
                "stray",
                c=check(get_rule("CW-104").model_copy(update={"id": unknown}))(_copy(_fine)),
            )
        ]
    )
    assert f"{unknown} has checks but no catalog entry" in kind_mismatches(stray)
    assert "CW-101 is in the catalog but has no check" in kind_mismatches(stray)


def _copy(function: Callable[[object, RuleContext], Verdict]) -> Callable[..., Verdict]:
    """A distinct function object, so each test marks its own."""

    def copied(resource: object, ctx: RuleContext) -> Verdict:
        return function(resource, ctx)

    return copied
