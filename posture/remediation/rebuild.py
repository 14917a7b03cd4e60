"""Rebuild runbooks for settings a live cache cannot change: at-rest encryption, its KMS key,
the VPC and subnet group, the port, and TLS where AWS cannot turn it on in place.

The runbook is specific to the resource: snapshot it, create a copy from the snapshot with
every setting of the source (see `rebuild_settings`) plus the fix, verify, move clients to
the copy's new endpoints, delete the old one. Secrets never appear: an AUTH token is read
from Secrets Manager into `$AUTH_TOKEN` in the operator's shell.
"""

from __future__ import annotations

from posture.base import ResourceKind
from posture.remediation.model import FixPlan, PlanKind, Runbook, RunbookStep
from posture.remediation.rebuild_prep import prepare_steps
from posture.remediation.rebuild_settings import (
    Options,
    group_options,
    memcached_options,
    q,
    render,
    serverless_options,
    standalone_as_group_options,
)
from posture.remediation.target import Target
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache

MAX_GROUP_ID = 40
_SUBNET_GROUP: dict[str, tuple[str, ...]] = {"--cache-subnet-group-name": ("$NEW_SUBNET_GROUP",)}
# What the new copy does differently, per rule: (options that replace the source's, words).
CHANGES: dict[str, tuple[dict[str, tuple[str, ...]], str]] = {
    "CW-101": ({"--transit-encryption-enabled": ()}, "with in-transit encryption on"),
    "CW-102": ({"--transit-encryption-enabled": ()}, "that requires TLS"),
    "CW-103": ({"--at-rest-encryption-enabled": ()}, "with at-rest encryption on"),
    "CW-104": (
        {"--at-rest-encryption-enabled": (), "--kms-key-id": ("$CMK_ARN",)},
        "encrypted with your customer-managed KMS key",
    ),
    "CW-301": (_SUBNET_GROUP, "in a VPC subnet group of your own"),
    "CW-302": (_SUBNET_GROUP, "in a dedicated subnet group"),
    "CW-303": (_SUBNET_GROUP, "in private subnets only"),
    "CW-306": ({"--port": ("$NEW_PORT",)}, "on a non-default port"),
    # Out of the default VPC: security groups belong to one VPC, so the copy needs new ones.
    "CW-307": (
        {**_SUBNET_GROUP, "--security-group-ids": ("$NEW_SECURITY_GROUPS",)},
        "in a VPC of your own, not the default VPC",
    ),
}
# A serverless cache has no subnet group or port: the fix names subnets (and, for a new VPC,
# security groups). CW-103 does not apply: serverless data is always encrypted at rest.
# https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
SERVERLESS_CHANGES: dict[str, tuple[dict[str, tuple[str, ...]], str]] = {
    "CW-104": ({"--kms-key-id": ("$CMK_ARN",)}, "encrypted with your customer-managed KMS key"),
    "CW-303": ({"--subnet-ids": ("$NEW_SUBNET_IDS",)}, "in private subnets only"),
    "CW-307": (
        {"--subnet-ids": ("$NEW_SUBNET_IDS",), "--security-group-ids": ("$NEW_SECURITY_GROUPS",)},
        "in a VPC of your own, not the default VPC",
    ),
}
# A new cache with TLS on defaults to `required`; the copy drops a `preferred` mode.
_DROPPED = {"CW-101": ("--transit-encryption-mode",), "CW-102": ("--transit-encryption-mode",)}
REBUILD_RULES = frozenset(CHANGES)
MEMCACHED_NO_REBUILD = (
    "Memcached keeps no snapshots, so there is nothing to restore: the fix is a new cluster "
    "with the fix, whose cache starts empty and warms up as clients move to its new "
    "endpoints. cachewarden does not run that as a migration; the runbook above does it by hand."
)
# Rules whose fix is a rebuild whatever the engine (TLS is in place on a group of 7.0+).
ALWAYS_REBUILT = REBUILD_RULES - {"CW-101", "CW-102"}


def new_id(source: str, limit: int = MAX_GROUP_ID) -> str:
    """A valid id for the copy: lower case, no trailing or doubled hyphen, within the limit."""
    base = source[: limit - 3].rstrip("-")
    return f"{base}-v2"


def apply_change(
    options: Options,
    rule_id: str,
    allowed: frozenset[str] | None = None,
    *,
    serverless: bool = False,
) -> Options:
    """The source's options with the rule's fix in place of the source's value."""
    changed = {k: v for k, v in options.items() if k not in _DROPPED.get(rule_id, ())}
    table = SERVERLESS_CHANGES if serverless else CHANGES
    for flag, values in table.get(rule_id, ({}, ""))[0].items():
        if allowed is None or flag in allowed:
            changed[flag] = values
    return changed


def _snapshot_step(target: Target, source_flag: str, source: str, snapshot: str) -> RunbookStep:
    region = q(target.region)
    return RunbookStep(
        title="Snapshot the current cache",
        commands=(
            f"aws elasticache create-snapshot {source_flag} {q(source)} --snapshot-name {q(snapshot)} --region {region}",
            f"aws elasticache describe-snapshots --snapshot-name {q(snapshot)} --region {region} --query 'Snapshots[0].SnapshotStatus'",
        ),
        note="Wait until the status reads `available`.",
    )


def _group_create(
    target: Target, source: str, copy: str, snapshot: str, options: Options
) -> RunbookStep:
    region = q(target.region)
    description = f"Rebuild of {source} ({target.rule_id})"
    return RunbookStep(
        title="Create the fixed copy from the snapshot, with every setting of the source",
        commands=(
            f"aws elasticache create-replication-group --replication-group-id {q(copy)} "
            f"--replication-group-description {q(description)} --snapshot-name {q(snapshot)} "
            f"{render(options)} --region {region}",
            f"aws elasticache wait replication-group-available --replication-group-id {q(copy)} --region {region}",
        ),
        note="Compare the copy's settings with the source's before moving clients; the create call copies what cachewarden read.",
    )


def _group_steps(target: Target, group: ReplicationGroup, options: Options) -> list[RunbookStep]:
    source, region = group.replication_group_id, q(target.region)
    snapshot, copy = f"{source}-before-{target.rule_id.lower()}", new_id(source)
    return [
        _snapshot_step(target, "--replication-group-id", source, snapshot),
        _group_create(target, source, copy, snapshot, options),
        _verify_step(
            copy, target, "describe-replication-groups --replication-group-id", "ReplicationGroups"
        ),
        _switch_step(copy, source, "describe-replication-groups --replication-group-id", target),
        RunbookStep(
            title="After a quiet period, delete the old group (a final snapshot is kept)",
            commands=(
                f"aws elasticache delete-replication-group --replication-group-id {q(source)} "
                f"--final-snapshot-identifier {q(source + '-final')} --region {region}",
            ),
        ),
    ]


def _standalone_steps(target: Target, cluster: CacheCluster, options: Options) -> list[RunbookStep]:
    source, region = cluster.cache_cluster_id, q(target.region)
    snapshot, copy = f"{source}-before-{target.rule_id.lower()}", new_id(source)
    return [
        _snapshot_step(target, "--cache-cluster-id", source, snapshot),
        _group_create(target, source, copy, snapshot, options),
        _verify_step(
            copy, target, "describe-replication-groups --replication-group-id", "ReplicationGroups"
        ),
        _switch_step(copy, source, "describe-replication-groups --replication-group-id", target),
        RunbookStep(
            title="After a quiet period, delete the old cluster (a final snapshot is kept)",
            commands=(
                f"aws elasticache delete-cache-cluster --cache-cluster-id {q(source)} "
                f"--final-snapshot-identifier {q(source + '-final')} --region {region}",
            ),
        ),
    ]


def _memcached_steps(target: Target, cluster: CacheCluster, options: Options) -> list[RunbookStep]:
    source, region = cluster.cache_cluster_id, q(target.region)
    copy = new_id(source, 50)
    return [
        RunbookStep(
            title="Create the fixed copy with every setting of the source",
            commands=(
                f"aws elasticache create-cache-cluster --cache-cluster-id {q(copy)} {render(options)} --region {region}",
                f"aws elasticache wait cache-cluster-available --cache-cluster-id {q(copy)} --region {region}",
            ),
            note="Memcached keeps no data across the move: the new cluster starts empty.",
        ),
        _verify_step(
            copy,
            target,
            "describe-cache-clusters --show-cache-node-info --cache-cluster-id",
            "CacheClusters",
        ),
        _switch_step(
            copy,
            source,
            "describe-cache-clusters --show-cache-node-info --cache-cluster-id",
            target,
        ),
        RunbookStep(
            title="After a quiet period, delete the old cluster",
            commands=(
                f"aws elasticache delete-cache-cluster --cache-cluster-id {q(source)} --region {region}",
            ),
        ),
    ]


def _serverless_steps(
    target: Target, cache: ServerlessCache, options: Options
) -> list[RunbookStep]:
    """Serverless backup, restore into a new cache with the fix, delete with a final backup.

    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCacheSnapshot.html
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteServerlessCache.html
    """
    source, region = cache.serverless_cache_name, q(target.region)
    snapshot, copy = f"{source}-before-{target.rule_id.lower()}", new_id(source)
    describe = f"aws elasticache describe-serverless-cache-snapshots --serverless-cache-snapshot-name {q(snapshot)} --region {region}"
    return [
        RunbookStep(
            title="Snapshot the serverless cache",
            commands=(
                f"aws elasticache create-serverless-cache-snapshot --serverless-cache-name {q(source)} "
                f"--serverless-cache-snapshot-name {q(snapshot)} --region {region}",
                f"{describe} --query 'ServerlessCacheSnapshots[0].Status'",
            ),
            note="Wait until the status reads `available` (there is no CLI waiter for serverless snapshots).",
        ),
        RunbookStep(
            title="Create the fixed copy from the snapshot, with every setting of the source",
            commands=(
                f"export SNAPSHOT_ARN=\"$({describe} --query 'ServerlessCacheSnapshots[0].ARN' --output text)\"",
                f"aws elasticache create-serverless-cache --serverless-cache-name {q(copy)} "
                f'--snapshot-arns-to-restore "$SNAPSHOT_ARN" {render(options)} --region {region}',
                f"aws elasticache describe-serverless-caches --serverless-cache-name {q(copy)} --region {region} --query 'ServerlessCaches[0].Status'",
            ),
            note="Wait until the copy reads `available`.",
        ),
        _verify_step(
            copy, target, "describe-serverless-caches --serverless-cache-name", "ServerlessCaches"
        ),
        _switch_step(copy, source, "describe-serverless-caches --serverless-cache-name", target),
        RunbookStep(
            title="After a quiet period, delete the old cache (a final snapshot is kept)",
            commands=(
                f"aws elasticache delete-serverless-cache --serverless-cache-name {q(source)} "
                f"--final-snapshot-name {q(source + '-final')} --region {region}",
            ),
        ),
    ]


def _verify_step(copy: str, target: Target, describe: str, key: str) -> RunbookStep:
    return RunbookStep(
        title="Verify the copy",
        commands=(
            f"aws elasticache {describe} {q(copy)} --region {q(target.region)} --query '{key}[0]'",
            f"/cache-audit {copy} region={target.region} account={target.ctx.inventory.account}",
        ),
        note=f"{target.rule_id} must pass on the copy before any client moves.",
    )


def _switch_step(copy: str, source: str, describe: str, target: Target) -> RunbookStep:
    return RunbookStep(
        title="Move clients to the copy's new endpoints",
        commands=(f"aws elasticache {describe} {q(copy)} --region {q(target.region)}",),
        note=(
            f"The copy has new DNS names: read them from the describe call above, point every "
            f"client (config, secrets, DNS alias) from {source}'s endpoint to {copy}'s"
            + (" and connect with TLS" if target.rule_id in ("CW-101", "CW-102") else "")
            + ", deploy, and watch CurrConnections fall to zero on the old one."
        ),
    )


def _options_and_steps(target: Target) -> tuple[Options, list[RunbookStep]]:
    resource, rule = target.resource, target.rule_id
    if isinstance(resource, ReplicationGroup):
        options = apply_change(group_options(target, resource), rule)
        return options, _group_steps(target, resource, options)
    if isinstance(resource, CacheCluster) and target.engine != "memcached":
        options = apply_change(standalone_as_group_options(target, resource), rule)
        return options, _standalone_steps(target, resource, options)
    if isinstance(resource, CacheCluster):
        allowed = frozenset({"--transit-encryption-enabled", "--cache-subnet-group-name", "--port"})
        options = apply_change(memcached_options(target, resource), rule, allowed)
        return options, _memcached_steps(target, resource, options)
    assert isinstance(resource, ServerlessCache)
    options = apply_change(serverless_options(target, resource), rule, serverless=True)
    return options, _serverless_steps(target, resource, options)


def _global_note(target: Target) -> str:
    group = target.resource
    if not isinstance(group, ReplicationGroup) or not group.global_datastore_id:
        return ""
    return (
        f"{target.resource_id} belongs to global datastore {group.global_datastore_id}; a copy "
        "built from it joins no datastore. Rebuild the primary, create a new global datastore "
        "from it (CreateGlobalReplicationGroup) and add new secondaries before moving clients."
    )


def rebuild_plan(target: Target, *, why: str = "") -> FixPlan:
    """The runbook for `target.rule_id` on this resource, as a REBUILD plan (nothing runs)."""
    why = " ".join(part for part in (why, _global_note(target)) if part)
    options, steps = _options_and_steps(target)
    table = SERVERLESS_CHANGES if isinstance(target.resource, ServerlessCache) else CHANGES
    words = table.get(target.rule_id, ({}, "fixed"))[1]
    runbook = Runbook(
        title=f"Rebuild {target.resource_id} for {target.rule_id}",
        summary=(why + " " if why else "")
        + f"This setting cannot change on the live {str(target.kind).replace('_', ' ')}: build a copy {words} "
        "with all its other settings, move clients to the copy's new endpoints, retire the old one.",
        steps=tuple(prepare_steps(target, options) + steps),
        backout=f"Until the old {target.resource_id} is deleted, pointing clients back to it undoes the move; delete the copy afterwards.",
    )
    return target.plan(
        PlanKind.REBUILD,
        f"Rebuild {target.subject} as a copy {words}.",
        state={"rebuild": target.rule_id},
        runbook=runbook,
        risk="Clients move to new endpoint names; writes made to the old cache after the snapshot are not copied.",
        backout=runbook.backout,
        reason=why,
        next_step=MEMCACHED_NO_REBUILD
        if isinstance(target.resource, CacheCluster) and target.engine == "memcached"
        else "",
    )


def needs_rebuild(rule_id: str, kind: ResourceKind) -> bool:
    """Rules whose fix is always a rebuild, and TLS on a standalone cluster (no modify parameter)."""
    if rule_id in ("CW-101", "CW-102"):
        return kind is ResourceKind.CACHE_CLUSTER
    return rule_id in REBUILD_RULES
