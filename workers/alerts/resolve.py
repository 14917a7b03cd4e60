"""Event -> the resources it touched, re-read from AWS, evaluated.

A call that names a cache re-reads only that cache (the collector's id filter narrows
every Describe). A security group, user, user group, global datastore or parameter group
edit re-reads the region's caches and keeps those that use the edited object. Pending
values of a modifying replication group (`PendingModifiedValues`) are evaluated as if
applied, and the caller re-checks later while the group is still modifying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from posture.alerts import ApiCallEvent, Lookup, LookupKind
from posture.base import ResourceKind
from posture.evaluate import evaluate
from posture.findings import Finding
from posture.policy import OrgPolicy
from posture.resources import Inventory, ReplicationGroup
from workers.aws.collect import collect_inventory
from workers.aws.filters import ScanFilters, tags_by_arn
from workers.aws.session import AccountSession, CallCounter

Resource = tuple[str, str]  # (resource kind, resource id)
RG, CC, SL, USER = (
    ResourceKind.REPLICATION_GROUP.value,
    ResourceKind.CACHE_CLUSTER.value,
    ResourceKind.SERVERLESS_CACHE.value,
    ResourceKind.USER.value,
)


@dataclass(frozen=True)
class Resolved:
    findings: list[Finding]
    affected: frozenset[Resource]
    missing: frozenset[Resource] = frozenset()  # named by the event, no longer there
    modifying: bool = False  # a change is still applying: re-check later
    engines: dict[Resource, str] = field(default_factory=dict)
    tags: dict[Resource, dict[str, str]] = field(default_factory=dict)


def filters_for(event: ApiCallEvent) -> ScanFilters:
    """The narrowest collection that still sees every resource the event can affect."""
    direct = {lookup.resource_kind: lookup.resource_id for lookup in event.direct}
    if len(event.lookups) != len(event.direct) or ResourceKind.SNAPSHOT in direct:
        return ScanFilters()
    if ResourceKind.REPLICATION_GROUP in direct:
        return ScanFilters(replication_group_id=direct[ResourceKind.REPLICATION_GROUP])
    if ResourceKind.CACHE_CLUSTER in direct:
        return ScanFilters(cache_cluster_id=direct[ResourceKind.CACHE_CLUSTER])
    return ScanFilters(serverless_cache_name=direct.get(ResourceKind.SERVERLESS_CACHE))


def resolve_event(
    session: AccountSession,
    event: ApiCallEvent,
    policy: OrgPolicy,
    *,
    now: datetime,
    counter: CallCounter | None = None,
) -> Resolved:
    inventory = collect_inventory(
        session,
        event.account,
        event.region,
        filters_for(event),
        counter=counter,
        now=now,
        include_account_facts=False,
    )
    inventory, modifying = with_pending_values(inventory)
    affected = set()
    for lookup in event.lookups:
        affected |= affected_by(lookup, inventory)
    present = _present(inventory)
    named = {(str(x.resource_kind), x.resource_id) for x in event.direct}
    findings = [
        f
        for f in evaluate(inventory, policy, now=now)
        if (str(f.resource_kind), f.resource_id) in affected
    ]
    return Resolved(
        findings=findings,
        affected=frozenset(affected),
        missing=frozenset(named - present),
        modifying=modifying and bool(affected & _modifying(inventory)),
        engines=_engines(inventory),
        tags=_tags(inventory),
    )


def with_pending_values(inventory: Inventory) -> tuple[Inventory, bool]:
    """Apply each modifying group's pending TLS/AUTH values, so the alert does not wait."""
    groups: list[ReplicationGroup] = []
    modifying = False
    for group in inventory.replication_groups:
        pending = group.pending_modified_values
        if group.status == "modifying":
            modifying = True
        if pending is None:
            groups.append(group)
            continue
        update = {
            name: getattr(pending, name)
            for name in ("transit_encryption_enabled", "transit_encryption_mode")
            if getattr(pending, name) is not None
        }
        groups.append(group.model_copy(update=update))
    modifying = modifying or any(
        c.cache_cluster_status == "modifying" for c in inventory.cache_clusters
    )
    return inventory.model_copy(update={"replication_groups": tuple(groups)}), modifying


def affected_by(lookup: Lookup, inventory: Inventory) -> set[Resource]:
    """The resources one lookup reaches; a group's member clusters come with it."""
    if lookup.kind is LookupKind.DIRECT:
        found = {(str(lookup.resource_kind), lookup.resource_id)}
        if lookup.resource_kind is ResourceKind.REPLICATION_GROUP:
            found |= _members(inventory, {lookup.resource_id})
        return found
    if lookup.kind is LookupKind.SECURITY_GROUP:
        return _caches_with_security_group(inventory, lookup.resource_id)
    if lookup.kind in (LookupKind.USER, LookupKind.USER_GROUP):
        return _caches_with_user_groups(inventory, lookup)
    if lookup.kind is LookupKind.GLOBAL_DATASTORE:
        groups = {
            g.replication_group_id
            for g in inventory.replication_groups
            if g.global_datastore_id == lookup.resource_id
        }
        return {(RG, g) for g in groups} | _members(inventory, groups)
    clusters = [
        c
        for c in inventory.cache_clusters
        if (c.cache_parameter_group or {}).get("CacheParameterGroupName") == lookup.resource_id
    ]
    groups = {c.replication_group_id for c in clusters if c.replication_group_id}
    return {(CC, c.cache_cluster_id) for c in clusters} | {(RG, g) for g in groups}


def _members(inventory: Inventory, group_ids: set[str]) -> set[Resource]:
    return {
        (CC, c.cache_cluster_id)
        for c in inventory.cache_clusters
        if c.replication_group_id in group_ids
    }


def _caches_with_security_group(inventory: Inventory, group_id: str) -> set[Resource]:
    clusters = [
        c
        for c in inventory.cache_clusters
        if any(m.security_group_id == group_id for m in c.security_groups)
    ]
    groups = {c.replication_group_id for c in clusters if c.replication_group_id}
    found = {(CC, c.cache_cluster_id) for c in clusters} | {(RG, g) for g in groups}
    found |= {
        (SL, s.serverless_cache_name)
        for s in inventory.serverless_caches
        if group_id in s.security_group_ids
    }
    return found | _members(inventory, groups)


def _caches_with_user_groups(inventory: Inventory, lookup: Lookup) -> set[Resource]:
    if lookup.kind is LookupKind.USER:
        wanted = {
            g.user_group_id for g in inventory.user_groups if lookup.resource_id in g.user_ids
        }
        found: set[Resource] = {(USER, lookup.resource_id)}
    else:
        wanted, found = {lookup.resource_id}, set()
    groups = {
        g.replication_group_id
        for g in inventory.replication_groups
        if wanted & set(g.user_group_ids)
    }
    found |= {(RG, g) for g in groups} | _members(inventory, groups)
    found |= {
        (SL, s.serverless_cache_name)
        for s in inventory.serverless_caches
        if s.user_group_id in wanted
    }
    return found


def _present(inventory: Inventory) -> set[Resource]:
    return (
        {(RG, g.replication_group_id) for g in inventory.replication_groups}
        | {(CC, c.cache_cluster_id) for c in inventory.cache_clusters}
        | {(SL, s.serverless_cache_name) for s in inventory.serverless_caches}
        | {(USER, u.user_id) for u in inventory.users}
        | {(ResourceKind.SNAPSHOT.value, s.snapshot_name) for s in inventory.snapshots}
    )


def _modifying(inventory: Inventory) -> set[Resource]:
    found = {
        (RG, g.replication_group_id)
        for g in inventory.replication_groups
        if g.status == "modifying"
    }
    found |= {
        (CC, c.cache_cluster_id)
        for c in inventory.cache_clusters
        if c.cache_cluster_status == "modifying"
    }
    return found


def _engines(inventory: Inventory) -> dict[Resource, str]:
    engines = {(RG, g.replication_group_id): g.engine for g in inventory.replication_groups}
    engines |= {(CC, c.cache_cluster_id): c.engine for c in inventory.cache_clusters}
    engines |= {(SL, s.serverless_cache_name): s.engine for s in inventory.serverless_caches}
    return engines


def _tags(inventory: Inventory) -> dict[Resource, dict[str, str]]:
    by_arn = tags_by_arn(inventory.tags)
    found = {
        (RG, g.replication_group_id): by_arn.get(g.arn, {}) for g in inventory.replication_groups
    }
    found |= {(CC, c.cache_cluster_id): by_arn.get(c.arn, {}) for c in inventory.cache_clusters}
    found |= {
        (SL, s.serverless_cache_name): by_arn.get(s.arn, {}) for s in inventory.serverless_caches
    }
    return found
