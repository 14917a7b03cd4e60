"""Resilience and maintenance checks: CW-401 to CW-406."""

from __future__ import annotations

from packaging.version import Version

from posture.base import ResourceKind
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache
from posture.rules.context import (
    RuleCheck,
    RuleContext,
    Verdict,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    CacheResource,
    describe,
    engine_name,
    engine_version,
    missing_members_reason,
    parse_version,
)


def _node_memcached(resource: CacheResource, ctx: RuleContext) -> Verdict | None:
    if isinstance(resource, CacheCluster) and engine_name(resource) == "memcached":
        return not_applicable(f"{describe(resource, ctx)}: node-based Memcached has no backups")
    return None


def check_backups_on(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-401: without automatic backups a lost node means lost data."""
    unsupported = _node_memcached(resource, ctx)
    if unsupported:
        return unsupported
    subject = describe(resource, ctx)
    retention = resource.snapshot_retention_limit or 0
    if retention > 0:
        return passed(f"{subject} keeps automatic backups for {retention} days")
    return failed(f"{subject} has automatic backups off (SnapshotRetentionLimit {retention})")


def check_backup_retention(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-402: retention at or above the policy minimum (the minimum itself passes)."""
    unsupported = _node_memcached(resource, ctx)
    if unsupported:
        return unsupported
    subject = describe(resource, ctx)
    retention = resource.snapshot_retention_limit or 0
    minimum = ctx.policy.backups.minimum_retention_days
    if retention == 0:
        return not_applicable(f"{subject} has automatic backups off; CW-401 reports that")
    if retention >= minimum:
        return passed(f"{subject} keeps backups for {retention} days (policy minimum {minimum})")
    return failed(
        f"{subject} keeps backups for {retention} days, under the policy minimum of {minimum}"
    )


def replica_count(group: ReplicationGroup) -> int:
    """Replicas across all shards: nodes beyond the one primary each shard has."""
    if any(shard.node_group_members for shard in group.node_groups):
        return sum(max(len(shard.node_group_members) - 1, 0) for shard in group.node_groups)
    shards = max(len(group.node_groups), 1)
    return max(len(group.member_clusters) - shards, 0)


def _group_switch(
    group: ReplicationGroup, ctx: RuleContext, field: str, value: str | None, why: str
) -> Verdict:
    subject = describe(group, ctx)
    if value == "enabled":
        return passed(f"{subject} has {field} enabled")
    if replica_count(group) == 0:
        return failed(f"{subject} has no replica, so {why}; add a replica and enable {field}")
    return failed(f"{subject} has {field} {value or 'disabled'}")


def check_automatic_failover(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-403: a failed primary is replaced by a replica without an operator."""
    why = "nothing can take over when the primary fails"
    return _group_switch(group, ctx, "AutomaticFailover", group.automatic_failover, why)


def check_multi_az(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-404: replicas in other Availability Zones survive the loss of one zone."""
    why = "the group lives in a single Availability Zone"
    return _group_switch(group, ctx, "MultiAZ", group.multi_az, why)


def check_minor_upgrades(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-405: minor versions carry security fixes; let AWS apply them in the maintenance window."""
    subject = describe(resource, ctx)
    setting = resource.auto_minor_version_upgrade
    if setting is None and isinstance(resource, ReplicationGroup):
        member_settings = [m.auto_minor_version_upgrade for m in ctx.members(resource)]
        known = [value for value in member_settings if value is not None]
        setting = all(known) if known else None
    if setting is None:
        return errored(f"{subject} reports no AutoMinorVersionUpgrade setting")
    if setting:
        return passed(f"{subject} has automatic minor version upgrades on")
    return failed(f"{subject} has automatic minor version upgrades off")


def _meets_minimum(resource: CacheResource, version: Version, minimum: Version) -> bool:
    if isinstance(resource, ServerlessCache) and not resource.full_engine_version:
        # Only the major is known; AWS keeps serverless caches on its latest minor.
        return version.major >= minimum.major
    return version >= minimum


def check_engine_version(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-406: versions under the policy minimum miss fixes or are past end of support."""
    subject = describe(resource, ctx)
    engine = engine_name(resource)
    minimum_text = ctx.policy.engines.minimum_versions.get(engine)
    if minimum_text is None:
        return not_applicable(f"{subject}: the policy sets no minimum version for {engine}")
    version = parse_version(engine_version(resource, ctx))
    minimum = parse_version(minimum_text)
    if version is None or minimum is None:
        reason = (
            missing_members_reason(resource, ctx)
            if isinstance(resource, ReplicationGroup)
            else None
        )
        return errored(reason or f"{subject}: engine version or policy minimum cannot be read")
    if _meets_minimum(resource, version, minimum):
        return passed(
            f"{subject} runs {engine} {version}, at or above the policy minimum {minimum_text}"
        )
    return failed(f"{subject} runs {engine} {version}, below the policy minimum {minimum_text}")


RG = ResourceKind.REPLICATION_GROUP
CC = ResourceKind.CACHE_CLUSTER
SLS = ResourceKind.SERVERLESS_CACHE

CHECKS: tuple[RuleCheck, ...] = (
    *(RuleCheck("CW-401", kind, check_backups_on) for kind in (RG, CC, SLS)),
    *(RuleCheck("CW-402", kind, check_backup_retention) for kind in (RG, CC, SLS)),
    RuleCheck("CW-403", RG, check_automatic_failover),
    RuleCheck("CW-404", RG, check_multi_az),
    RuleCheck("CW-405", RG, check_minor_upgrades),
    RuleCheck("CW-405", CC, check_minor_upgrades),
    *(RuleCheck("CW-406", kind, check_engine_version) for kind in (RG, CC, SLS)),
)
