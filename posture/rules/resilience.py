"""Resilience and maintenance checks: CW-401 to CW-407."""

from __future__ import annotations

from packaging.version import Version

from posture.resources import CacheCluster, CacheSnapshot, ReplicationGroup, ServerlessCache
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.engine_support import past_standard_support
from posture.rules.facts import (
    RBAC_MINIMUM_REDIS,
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


@check("CW-401")
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


@check("CW-402")
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


@check("CW-403")
def check_automatic_failover(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-403: a failed primary is replaced by a replica without an operator."""
    why = "nothing can take over when the primary fails"
    return _group_switch(group, ctx, "AutomaticFailover", group.automatic_failover, why)


@check("CW-404")
def check_multi_az(group: ReplicationGroup, ctx: RuleContext) -> Verdict:
    """CW-404: replicas in other Availability Zones survive the loss of one zone."""
    why = "the group lives in a single Availability Zone"
    return _group_switch(group, ctx, "MultiAZ", group.multi_az, why)


@check("CW-405")
def check_minor_upgrades(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-405: minor versions carry security fixes; let AWS apply them in the maintenance window.

    The setting exists for Redis OSS 6.0+ and Valkey only: Memcached and older Redis OSS
    take minor versions by hand, so the rule does not apply to them.
    """
    subject = describe(resource, ctx)
    if engine_name(resource) == "memcached":
        return not_applicable(f"{subject}: auto minor version upgrade does not apply to Memcached")
    version = parse_version(engine_version(resource, ctx))
    if engine_name(resource) == "redis" and version is not None and version < RBAC_MINIMUM_REDIS:
        return not_applicable(
            f"{subject}: auto minor version upgrade needs Redis OSS 6.0 or later; "
            "CW-406 covers the engine upgrade"
        )
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


def _unreadable_version(resource: CacheResource, ctx: RuleContext) -> Verdict:
    reason = (
        missing_members_reason(resource, ctx) if isinstance(resource, ReplicationGroup) else None
    )
    return errored(reason or f"{describe(resource, ctx)}: engine version cannot be read")


@check("CW-406")
def check_engine_version(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-406: versions past AWS standard support, or under the policy minimum, fail.

    End of standard support (posture.rules.engine_support) fails whatever the policy
    minimum says: the cache then runs on paid Extended Support or is about to be
    upgraded by AWS.
    """
    subject = describe(resource, ctx)
    engine = engine_name(resource)
    version = parse_version(engine_version(resource, ctx))
    if version is None:
        return _unreadable_version(resource, ctx)
    ended = past_standard_support(engine, version, ctx.now.date())
    if ended is not None:
        extended = (
            f"paid Extended Support lasts until {ended.extended_support_ends.isoformat()}"
            if ended.extended_support_ends
            else "there is no Extended Support for it"
        )
        return failed(
            f"{subject} runs {engine} {version}, whose AWS standard support ended on "
            f"{ended.standard_support_ends.isoformat()}; {extended} ({ended.source})"
        )
    minimum_text = ctx.policy.engines.minimum_versions.get(engine)
    if minimum_text is None:
        return not_applicable(f"{subject}: the policy sets no minimum version for {engine}")
    minimum = parse_version(minimum_text)
    if minimum is None:
        return errored(f"{subject}: the policy minimum {minimum_text!r} cannot be read")
    if _meets_minimum(resource, version, minimum):
        return passed(
            f"{subject} runs {engine} {version}, at or above the policy minimum {minimum_text}"
        )
    return failed(f"{subject} runs {engine} {version}, below the policy minimum {minimum_text}")


def _source_of(snapshot: CacheSnapshot) -> tuple[str, str] | None:
    """(kind, id) of the cache a backup was taken from."""
    if snapshot.serverless_cache_name:
        return "serverless cache", snapshot.serverless_cache_name
    if snapshot.replication_group_id:
        return "replication group", snapshot.replication_group_id
    if snapshot.cache_cluster_id:
        return "cache cluster", snapshot.cache_cluster_id
    return None


def _source_exists(snapshot: CacheSnapshot, ctx: RuleContext) -> bool:
    inventory = ctx.inventory
    if snapshot.serverless_cache_name:
        return any(
            c.serverless_cache_name == snapshot.serverless_cache_name
            for c in inventory.serverless_caches
        )
    if snapshot.replication_group_id:
        return any(
            g.replication_group_id == snapshot.replication_group_id
            for g in inventory.replication_groups
        )
    return snapshot.cache_cluster_id in ctx.clusters_by_id


@check("CW-407")
def check_snapshot_source_exists(snapshot: CacheSnapshot, ctx: RuleContext) -> Verdict:
    """CW-407: a manual backup of a deleted cache keeps its data (and its cost) with no owner."""
    subject = f"snapshot {snapshot.snapshot_name}"
    if (snapshot.snapshot_source or "").lower() != "manual":
        return not_applicable(
            f"{subject} is an automatic backup; ElastiCache removes those with their cache"
        )
    source = _source_of(snapshot)
    if source is None:
        return errored(f"{subject} names no source cache")
    kind, source_id = source
    if _source_exists(snapshot, ctx):
        return passed(f"{subject} belongs to {kind} {source_id}, which still exists")
    return failed(
        f"{subject} is a manual backup of {kind} {source_id}, which no longer exists in "
        f"{ctx.inventory.region}"
    )
