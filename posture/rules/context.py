"""What every check receives (`RuleContext`) and returns (`Verdict`).

The context indexes one `Inventory` once, so each check is a handful of dictionary
lookups instead of a scan over every resource list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar

from posture.base import ResourceKind
from posture.catalog.model import Rule
from posture.findings import Status
from posture.policy import OrgPolicy
from posture.resources import (
    CacheCluster,
    CacheSubnetGroup,
    CpuMetric,
    Inventory,
    KmsKey,
    ManagedPrefixList,
    ReplicationGroup,
    RouteTable,
    SecurityGroup,
    Subnet,
    User,
    UserGroup,
    Vpc,
)

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check on one resource, with the fact that decided it."""

    status: Status
    evidence: str


def passed(evidence: str) -> Verdict:
    return Verdict(Status.PASS, evidence)


def failed(evidence: str) -> Verdict:
    return Verdict(Status.FAIL, evidence)


def not_applicable(reason: str) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, reason)


def errored(reason: str) -> Verdict:
    return Verdict(Status.ERROR, reason)


def _always(resource: Any, ctx: RuleContext) -> bool:
    return True


@dataclass(frozen=True)
class RuleCheck:
    """One registry entry: rule `rule_id` evaluated on resources of `kind` by `check`.

    `applies` filters resources the rule has no data for (CW-503 without trails),
    so they produce no finding at all rather than a misleading one.
    """

    rule_id: str
    kind: ResourceKind
    check: Callable[[Any, RuleContext], Verdict]
    applies: Callable[[Any, RuleContext], bool] = _always


CheckFn = TypeVar("CheckFn", bound=Callable[..., Verdict])
_MARK = "__cachewarden_rule__"


@dataclass(frozen=True)
class CheckMark:
    """What `@check` records on a function: the rule it decides, and its `applies` filter."""

    rule_id: str
    applies: Callable[[Any, RuleContext], bool] = _always


def check(
    rule: Rule, *, applies: Callable[[Any, RuleContext], bool] = _always
) -> Callable[[CheckFn], CheckFn]:
    """Declare a function as the check of the catalog entry `rule` (defined just above it).

    The registry finds it in its rule module and runs it on every resource kind the entry
    lists, so neither the id nor the kinds are written a second time.
    """

    def mark(function: CheckFn) -> CheckFn:
        setattr(function, _MARK, CheckMark(rule.id, applies))
        return function

    return mark


def check_mark(candidate: object) -> CheckMark | None:
    """The mark `@check` left on `candidate`, or None for any other object."""
    found = getattr(candidate, _MARK, None) if callable(candidate) else None
    return found if isinstance(found, CheckMark) else None


def as_utc(moment: datetime) -> datetime:
    """AWS timestamps are aware; a naive one (from a test or a file) is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _index(items: tuple[_Item, ...], key: Callable[[_Item], str]) -> Mapping[str, _Item]:
    return MappingProxyType({key(item): item for item in items})


def _members_by_group(inventory: Inventory) -> Mapping[str, tuple[CacheCluster, ...]]:
    """Member clusters per replication group, in the group's own member order first."""
    by_id = {cluster.cache_cluster_id: cluster for cluster in inventory.cache_clusters}
    members: dict[str, list[CacheCluster]] = {}
    for group in inventory.replication_groups:
        listed = [by_id[cid] for cid in group.member_clusters if cid in by_id]
        members[group.replication_group_id] = listed
    for cluster in inventory.cache_clusters:
        group_id = cluster.replication_group_id
        if not group_id:
            continue
        known = members.setdefault(group_id, [])
        if all(m.cache_cluster_id != cluster.cache_cluster_id for m in known):
            known.append(cluster)
    return MappingProxyType({gid: tuple(found) for gid, found in members.items()})


def _route_tables_by_subnet(tables: tuple[RouteTable, ...]) -> Mapping[str, RouteTable]:
    explicit: dict[str, RouteTable] = {}
    for table in tables:
        for association in table.associations:
            if association.subnet_id:
                explicit[association.subnet_id] = table
    return MappingProxyType(explicit)


def _main_route_tables_by_vpc(tables: tuple[RouteTable, ...]) -> Mapping[str, RouteTable]:
    # Keyed by VPC so a subnet never inherits another VPC's main table.
    main = {t.vpc_id: t for t in tables if any(a.main for a in t.associations)}
    return MappingProxyType(main)


def _kms_keys(keys: tuple[KmsKey, ...]) -> Mapping[str, KmsKey]:
    by_ref: dict[str, KmsKey] = {}
    for key in keys:
        by_ref[key.key_id] = key
        if key.arn:
            by_ref[key.arn] = key
    return MappingProxyType(by_ref)


def _tags_by_arn(inventory: Inventory) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType(
        {
            tagged.resource_arn: MappingProxyType({tag.key: tag.value for tag in tagged.tags})
            for tagged in inventory.tags
        }
    )


@dataclass(frozen=True)
class RuleContext:
    """One inventory, the policy and the evaluation time, with precomputed lookups."""

    inventory: Inventory
    policy: OrgPolicy
    now: datetime
    members_by_group: Mapping[str, tuple[CacheCluster, ...]]
    clusters_by_id: Mapping[str, CacheCluster]
    subnet_groups_by_name: Mapping[str, CacheSubnetGroup]
    subnets_by_id: Mapping[str, Subnet]
    route_tables_by_subnet: Mapping[str, RouteTable]
    main_route_tables_by_vpc: Mapping[str, RouteTable]
    security_groups_by_id: Mapping[str, SecurityGroup]
    kms_keys_by_ref: Mapping[str, KmsKey]
    tags_by_arn: Mapping[str, Mapping[str, str]]
    users_by_id: Mapping[str, User]
    user_groups_by_id: Mapping[str, UserGroup]
    cpu_by_cluster: Mapping[str, CpuMetric]
    vpcs_by_id: Mapping[str, Vpc]
    prefix_lists_by_id: Mapping[str, ManagedPrefixList]

    @classmethod
    def build(cls, inventory: Inventory, policy: OrgPolicy, now: datetime) -> RuleContext:
        tables = inventory.route_tables
        return cls(
            inventory=inventory,
            policy=policy,
            now=as_utc(now),
            members_by_group=_members_by_group(inventory),
            clusters_by_id=_index(inventory.cache_clusters, lambda c: c.cache_cluster_id),
            subnet_groups_by_name=_index(
                inventory.subnet_groups, lambda g: g.cache_subnet_group_name
            ),
            subnets_by_id=_index(inventory.subnets, lambda s: s.subnet_id),
            route_tables_by_subnet=_route_tables_by_subnet(tables),
            main_route_tables_by_vpc=_main_route_tables_by_vpc(tables),
            security_groups_by_id=_index(inventory.security_groups, lambda g: g.group_id),
            kms_keys_by_ref=_kms_keys(inventory.kms_keys),
            tags_by_arn=_tags_by_arn(inventory),
            users_by_id=_index(inventory.users, lambda u: u.user_id),
            user_groups_by_id=_index(inventory.user_groups, lambda g: g.user_group_id),
            cpu_by_cluster=_index(inventory.cpu_metrics, lambda m: m.cache_cluster_id),
            vpcs_by_id=_index(inventory.vpcs, lambda v: v.vpc_id),
            prefix_lists_by_id=_index(inventory.prefix_lists, lambda p: p.prefix_list_id),
        )

    def members(self, group: ReplicationGroup) -> tuple[CacheCluster, ...]:
        return self.members_by_group.get(group.replication_group_id, ())

    def missing_members(self, group: ReplicationGroup) -> tuple[str, ...]:
        """Member ids the group lists but the inventory does not hold."""
        return tuple(cid for cid in group.member_clusters if cid not in self.clusters_by_id)

    def kms_key(self, reference: str) -> KmsKey | None:
        """Find a key by id or ARN; a key ARN also matches on its trailing key id."""
        found = self.kms_keys_by_ref.get(reference)
        if found is None and ":key/" in reference:
            found = self.kms_keys_by_ref.get(reference.rsplit("/", 1)[1])
        return found

    def tags_of(self, arn: str) -> Mapping[str, str]:
        return self.tags_by_arn.get(arn, MappingProxyType({}))
