"""Every check, which resources each one reads, and how a resource is named in a finding.

A rule is a catalog entry (`CW_xxx = Rule(...)`) in one of the rule modules listed in
`posture.rules.families`, with its check right below it, marked `@check(CW_xxx)`. The
registry finds the marked functions there and runs each on every resource kind its entry
lists. A catalog entry without a check, a check without an entry, or two checks for one
rule fail at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from posture.base import ResourceKind
from posture.catalog import all_rules
from posture.resources import (
    CacheCluster,
    CacheSnapshot,
    Inventory,
    ReplicationGroup,
    ReservedNode,
    ServerlessCache,
)
from posture.rules.context import CheckMark, RuleCheck, RuleContext, Verdict, check_mark
from posture.rules.families import FAMILY_MODULES

CheckFunction = Callable[[Any, RuleContext], Verdict]
ACCOUNT_WIDE_REGION = "global"  # IAM is global: CW-505 findings belong to no region


def kind_mismatches(entries: Iterable[RuleCheck]) -> list[str]:
    """Where the checks and the catalog disagree on rule ids or resource kinds, in words."""
    catalog = {rule.id: frozenset(rule.resource_kinds) for rule in all_rules()}
    registered: dict[str, set[ResourceKind]] = {}
    for entry in entries:
        registered.setdefault(entry.rule_id, set()).add(entry.kind)
    problems = [
        f"{rid} has checks but no catalog entry" for rid in registered if rid not in catalog
    ]
    problems += [
        f"{rid} is in the catalog but has no check" for rid in catalog if rid not in registered
    ]
    for rule_id, kinds in catalog.items():
        checked = registered.get(rule_id)
        if checked is not None and checked != kinds:
            listed = ", ".join(sorted(kinds))
            found = ", ".join(sorted(checked))
            problems.append(f"{rule_id}: catalog lists {listed} but checks run on {found}")
    return problems


def _agreeing_with_catalog(entries: tuple[RuleCheck, ...]) -> tuple[RuleCheck, ...]:
    problems = kind_mismatches(entries)
    if problems:
        raise ValueError("rule registry disagrees with the catalog: " + "; ".join(problems))
    return entries


def marked_checks(modules: Iterable[ModuleType]) -> dict[str, tuple[CheckFunction, CheckMark]]:
    """rule id -> its check function and mark, from the `@check` marks in `modules`."""
    found: dict[str, tuple[CheckFunction, CheckMark]] = {}
    for module in modules:
        for name, value in vars(module).items():
            mark = check_mark(value)
            if mark is None or getattr(value, "__module__", None) != module.__name__:
                continue  # not a check, or one imported from another family module
            if mark.rule_id in found:
                raise ValueError(f"{mark.rule_id} has two checks: {name} and another")
            found[mark.rule_id] = (value, mark)
    return found


def registry_entries(modules: Iterable[ModuleType]) -> tuple[RuleCheck, ...]:
    """One entry per rule and catalog kind, in catalog order; a check whose rule is not in
    the catalog keeps one entry (on no real kind) so `kind_mismatches` names it."""
    checks = marked_checks(modules)
    entries = [
        RuleCheck(rule.id, kind, *_function_and_filter(checks[rule.id]))
        for rule in all_rules()
        if rule.id in checks
        for kind in rule.resource_kinds
    ]
    catalog_ids = {rule.id for rule in all_rules()}
    orphans = [
        RuleCheck(rule_id, ResourceKind.ACCOUNT, *_function_and_filter(found))
        for rule_id, found in checks.items()
        if rule_id not in catalog_ids
    ]
    return (*entries, *orphans)


def _function_and_filter(
    found: tuple[CheckFunction, CheckMark],
) -> tuple[CheckFunction, Callable[[Any, RuleContext], bool]]:
    function, mark = found
    return function, mark.applies


REGISTRY: tuple[RuleCheck, ...] = _agreeing_with_catalog(registry_entries(FAMILY_MODULES))


def rule_ids() -> tuple[str, ...]:
    """Every rule id with at least one check, in registry order."""
    return tuple(dict.fromkeys(entry.rule_id for entry in REGISTRY))


def rules_for_kind(kind: ResourceKind) -> frozenset[str]:
    """The rules evaluated on resources of `kind`, as the catalog lists them."""
    return frozenset(rule.id for rule in all_rules() if kind in rule.resource_kinds)


def resources_of_kind(inventory: Inventory, kind: ResourceKind) -> tuple[object, ...]:
    """The resources a check of `kind` runs on.

    Member clusters of a replication group are not cache-cluster resources: their
    node-level facts are reported on the group, so each problem is raised once.
    """
    by_kind: dict[ResourceKind, tuple[object, ...]] = {
        ResourceKind.REPLICATION_GROUP: inventory.replication_groups,
        ResourceKind.CACHE_CLUSTER: tuple(
            c for c in inventory.cache_clusters if not c.replication_group_id
        ),
        ResourceKind.SERVERLESS_CACHE: inventory.serverless_caches,
        ResourceKind.SNAPSHOT: inventory.snapshots,
        ResourceKind.RESERVED_NODE: inventory.reserved_nodes,
        ResourceKind.ACCOUNT_REGION: (inventory,),
        ResourceKind.ACCOUNT: (inventory,),
    }
    return by_kind.get(kind, ())


@dataclass(frozen=True)
class ResourceIdentity:
    """How a finding names its resource."""

    resource_id: str
    resource_arn: str
    region: str


def identify(resource: object, inventory: Inventory) -> ResourceIdentity:
    region = inventory.region
    if isinstance(resource, ReplicationGroup):
        return ResourceIdentity(resource.replication_group_id, resource.arn, region)
    if isinstance(resource, CacheCluster):
        return ResourceIdentity(resource.cache_cluster_id, resource.arn, region)
    if isinstance(resource, ServerlessCache):
        return ResourceIdentity(resource.serverless_cache_name, resource.arn, region)
    if isinstance(resource, CacheSnapshot):
        return ResourceIdentity(resource.snapshot_name, resource.arn, region)
    if isinstance(resource, ReservedNode):
        return ResourceIdentity(resource.reserved_cache_node_id, resource.reservation_arn, region)
    raise TypeError(f"no identity for {type(resource).__name__}")


def identify_scope(kind: ResourceKind, inventory: Inventory) -> ResourceIdentity:
    """Identity of an account-wide or account-and-region finding."""
    if kind is ResourceKind.ACCOUNT:
        return ResourceIdentity(inventory.account, "", ACCOUNT_WIDE_REGION)
    return ResourceIdentity(f"{inventory.account}/{inventory.region}", "", inventory.region)
