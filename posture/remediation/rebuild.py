"""Rebuild runbooks for settings a live cache cannot change: at-rest encryption, its KMS key,
the VPC and subnet group, the port, and TLS where AWS refuses it in place.

The runbook is specific to the resource: snapshot it, create a copy from the snapshot with
the same settings plus the fix, verify, move clients, delete the old one. Secrets never
appear: an AUTH token is referenced as `$AUTH_TOKEN`, read from wherever it is kept.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from posture.base import ResourceKind
from posture.remediation.model import FixPlan, PlanKind, Runbook, RunbookStep
from posture.remediation.target import Target
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache
from posture.rules.facts import DEFAULT_PORTS, cache_port, node_clusters, security_group_ids
from posture.rules.resilience import replica_count

MAX_GROUP_ID = 40
# What the new copy does differently, per rule: (CLI options, words).
CHANGES: dict[str, tuple[tuple[str, ...], str]] = {
    "CW-101": (("--transit-encryption-enabled",), "with in-transit encryption on"),
    "CW-102": (("--transit-encryption-enabled",), "that requires TLS"),
    "CW-103": (("--at-rest-encryption-enabled",), "with at-rest encryption on"),
    "CW-104": (
        ("--at-rest-encryption-enabled", "--kms-key-id", "$CMK_ARN"),
        "encrypted with your customer-managed KMS key",
    ),
    "CW-301": (
        ("--cache-subnet-group-name", "$NEW_SUBNET_GROUP"),
        "in a VPC subnet group of your own",
    ),
    "CW-302": (
        ("--cache-subnet-group-name", "$NEW_SUBNET_GROUP"),
        "in a dedicated subnet group",
    ),
    "CW-303": (
        ("--cache-subnet-group-name", "$NEW_SUBNET_GROUP"),
        "in private subnets only",
    ),
    "CW-306": (("--port", "$NEW_PORT"), "on a non-default port"),
}
REBUILD_RULES = frozenset(CHANGES)


def _q(value: object) -> str:
    return shlex.quote(str(value))


def new_id(source: str, limit: int = MAX_GROUP_ID) -> str:
    """A valid id for the copy: lower case, no trailing or doubled hyphen, within the limit."""
    base = source[: limit - 3].rstrip("-")
    return f"{base}-v2"


@dataclass(frozen=True)
class _Shape:
    """The settings of the source that the copy keeps."""

    options: tuple[str, ...]
    region: str


def _group_shape(target: Target, group: ReplicationGroup) -> list[str]:
    members = node_clusters(group, target.ctx)
    first = members[0] if members else None
    options = ["--engine", _q(group.engine)]
    if target.version:
        options += ["--engine-version", _q(target.version)]
    if group.cache_node_type:
        options += ["--cache-node-type", _q(group.cache_node_type)]
    if group.cluster_enabled or len(group.node_groups) > 1:
        shards = max(len(group.node_groups), 1)
        options += [
            "--num-node-groups",
            str(shards),
            "--replicas-per-node-group",
            str(replica_count(group) // shards),
        ]
    else:
        options += ["--num-cache-clusters", str(max(len(group.member_clusters), 1))]
    if first and first.cache_subnet_group_name:
        options += ["--cache-subnet-group-name", _q(first.cache_subnet_group_name)]
    if group.automatic_failover == "enabled":
        options.append("--automatic-failover-enabled")
    if group.multi_az == "enabled":
        options.append("--multi-az-enabled")
    if group.transit_encryption_enabled:
        options.append("--transit-encryption-enabled")
    if group.at_rest_encryption_enabled or group.storage_encryption_type in (
        "sse-elasticache",
        "sse-kms",
    ):
        options.append("--at-rest-encryption-enabled")
    if group.kms_key_id:
        options += ["--kms-key-id", _q(group.kms_key_id)]
    if group.user_group_ids:
        options += ["--user-group-ids", *(_q(g) for g in group.user_group_ids)]
    elif group.auth_token_enabled:
        options += ["--auth-token", '"$AUTH_TOKEN"']
    return options


def _common_shape(target: Target, options: list[str]) -> list[str]:
    groups = security_group_ids(target.resource, target.ctx)
    if groups:
        options += ["--security-group-ids", *(_q(g) for g in groups)]
    options += ["--port", str(cache_port(target.resource, target.ctx))]
    retention = target.resource.snapshot_retention_limit or 0
    if retention:
        options += ["--snapshot-retention-limit", str(retention)]
    return options


def _apply_change(options: list[str], rule_id: str) -> list[str]:
    """Replace the source's value of each option the rule changes (e.g. --port) with the fix."""
    change = CHANGES[rule_id][0]
    replaced = {opt for opt in change if opt.startswith("--")}
    kept: list[str] = []
    skip = False
    for index, word in enumerate(options):
        if skip:
            skip = False
            continue
        if word in replaced:
            takes_value = index + 1 < len(options) and not options[index + 1].startswith("--")
            skip = takes_value and word not in (
                "--at-rest-encryption-enabled",
                "--transit-encryption-enabled",
            )
            continue
        kept.append(word)
    return kept + list(change)


def _prepare_steps(target: Target) -> list[RunbookStep]:
    region = _q(target.region)
    if target.rule_id == "CW-104":
        return [
            RunbookStep(
                title="Choose the customer-managed KMS key (or create one) and export its ARN",
                commands=(
                    f'aws kms create-key --description "ElastiCache {target.resource_id}" --region {region}',
                    f"aws kms enable-key-rotation --key-id <key-id> --region {region}",
                    "export CMK_ARN=<the key's ARN>",
                ),
            )
        ]
    if target.rule_id == "CW-303" and target.kind is ResourceKind.SERVERLESS_CACHE:
        return [
            RunbookStep(
                title="Choose private subnets (no route to an internet gateway) in the cache's VPC",
                commands=("export PRIVATE_SUBNETS='<private-subnet-1> <private-subnet-2>'",),
            )
        ]
    if target.rule_id in ("CW-301", "CW-302", "CW-303"):
        return [
            RunbookStep(
                title="Create a subnet group of private subnets (no route to an internet gateway)",
                commands=(
                    f"aws elasticache create-cache-subnet-group --cache-subnet-group-name {_q(target.resource_id + '-private')} "
                    f'--cache-subnet-group-description "Private subnets for {target.resource_id}" '
                    f"--subnet-ids <private-subnet-1> <private-subnet-2> --region {region}",
                    f"export NEW_SUBNET_GROUP={_q(target.resource_id + '-private')}",
                ),
                note="Pick subnets in the VPC your clients use; the security groups must belong to that VPC too.",
            )
        ]
    if target.rule_id == "CW-306":
        port = DEFAULT_PORTS.get(target.engine, 6379) + 11
        return [
            RunbookStep(
                title="Choose the new port and allow it from your clients' security groups",
                commands=(f"export NEW_PORT={port}",),
                note="Add an ingress rule for the new port to the cache's security group before switching clients.",
            )
        ]
    return []


def _group_steps(target: Target, group: ReplicationGroup) -> list[RunbookStep]:
    source, region = group.replication_group_id, _q(target.region)
    snapshot = f"{source}-before-{target.rule_id.lower()}"
    copy = new_id(source)
    options = _apply_change(_common_shape(target, _group_shape(target, group)), target.rule_id)
    create = (
        f"aws elasticache create-replication-group --replication-group-id {_q(copy)} "
        f'--replication-group-description "Rebuild of {source} ({target.rule_id})" '
        f"--snapshot-name {_q(snapshot)} {' '.join(options)} --region {region}"
    )
    return [
        RunbookStep(
            title="Snapshot the current group",
            commands=(
                f"aws elasticache create-snapshot --replication-group-id {_q(source)} --snapshot-name {_q(snapshot)} --region {region}",
                f"aws elasticache describe-snapshots --snapshot-name {_q(snapshot)} --region {region} --query 'Snapshots[0].SnapshotStatus'",
            ),
            note="Wait until the status reads `available`.",
        ),
        RunbookStep(
            title="Create the fixed copy from the snapshot, with the same settings",
            commands=(
                create,
                f"aws elasticache wait replication-group-available --replication-group-id {_q(copy)} --region {region}",
            ),
        ),
        _verify_step(
            copy, target, "describe-replication-groups --replication-group-id", "ReplicationGroups"
        ),
        _switch_step(copy, source, target),
        RunbookStep(
            title="After a quiet period, delete the old group (a final snapshot is kept)",
            commands=(
                f"aws elasticache delete-replication-group --replication-group-id {_q(source)} "
                f"--final-snapshot-identifier {_q(source + '-final')} --region {region}",
            ),
        ),
    ]


def _cluster_options(target: Target, cluster: CacheCluster) -> list[str]:
    options = ["--engine", _q(cluster.engine)]
    if cluster.engine_version:
        options += ["--engine-version", _q(cluster.engine_version)]
    if cluster.cache_node_type:
        options += ["--cache-node-type", _q(cluster.cache_node_type)]
    options += ["--num-cache-nodes", str(cluster.num_cache_nodes or 1)]
    if cluster.cache_subnet_group_name:
        options += ["--cache-subnet-group-name", _q(cluster.cache_subnet_group_name)]
    if cluster.transit_encryption_enabled:
        options.append("--transit-encryption-enabled")
    return _apply_change(_common_shape(target, options), target.rule_id)


def _cluster_steps(target: Target, cluster: CacheCluster) -> list[RunbookStep]:
    source, region = cluster.cache_cluster_id, _q(target.region)
    copy = new_id(source, 50)
    options = _cluster_options(target, cluster)
    steps = []
    snapshot_option = ""
    if target.engine != "memcached":
        snapshot = f"{source}-before-{target.rule_id.lower()}"
        snapshot_option = f"--snapshot-name {_q(snapshot)} "
        steps.append(
            RunbookStep(
                title="Snapshot the current cluster",
                commands=(
                    f"aws elasticache create-snapshot --cache-cluster-id {_q(source)} --snapshot-name {_q(snapshot)} --region {region}",
                ),
                note="Wait until `describe-snapshots` reports it `available`.",
            )
        )
    steps.append(
        RunbookStep(
            title="Create the fixed copy with the same settings",
            commands=(
                f"aws elasticache create-cache-cluster --cache-cluster-id {_q(copy)} {snapshot_option}{' '.join(options)} --region {region}",
                f"aws elasticache wait cache-cluster-available --cache-cluster-id {_q(copy)} --region {region}",
            ),
            note="Memcached keeps no data across the move: the new cluster starts empty."
            if target.engine == "memcached"
            else "",
        )
    )
    steps += [
        _verify_step(
            copy,
            target,
            "describe-cache-clusters --show-cache-node-info --cache-cluster-id",
            "CacheClusters",
        ),
        _switch_step(copy, source, target),
        RunbookStep(
            title="After a quiet period, delete the old cluster",
            commands=(
                f"aws elasticache delete-cache-cluster --cache-cluster-id {_q(source)} --region {region}",
            ),
        ),
    ]
    return steps


def _serverless_steps(target: Target, cache: ServerlessCache) -> list[RunbookStep]:
    source, region = cache.serverless_cache_name, _q(target.region)
    snapshot, copy = f"{source}-before-{target.rule_id.lower()}", new_id(source)
    options = ["--engine", _q(cache.engine)]
    if cache.major_engine_version:
        options += ["--major-engine-version", _q(cache.major_engine_version)]
    if cache.security_group_ids:
        options += ["--security-group-ids", *(_q(g) for g in cache.security_group_ids)]
    if target.rule_id == "CW-303":
        options += ["--subnet-ids", "$PRIVATE_SUBNETS"]
    elif cache.subnet_ids:
        options += ["--subnet-ids", *(_q(s) for s in cache.subnet_ids)]
    if cache.user_group_id:
        options += ["--user-group-id", _q(cache.user_group_id)]
    if target.rule_id == "CW-104":
        options += ["--kms-key-id", '"$CMK_ARN"']
    elif cache.kms_key_id:
        options += ["--kms-key-id", _q(cache.kms_key_id)]
    return [
        RunbookStep(
            title="Snapshot the serverless cache",
            commands=(
                f"aws elasticache create-serverless-cache-snapshot --serverless-cache-name {_q(source)} "
                f"--serverless-cache-snapshot-name {_q(snapshot)} --region {region}",
            ),
        ),
        RunbookStep(
            title="Create the fixed copy from the snapshot",
            commands=(
                f"aws elasticache create-serverless-cache --serverless-cache-name {_q(copy)} "
                f"--snapshot-arns-to-restore <arn of {snapshot}> {' '.join(options)} --region {region}",
            ),
        ),
        _verify_step(
            copy, target, "describe-serverless-caches --serverless-cache-name", "ServerlessCaches"
        ),
        _switch_step(copy, source, target),
        RunbookStep(
            title="After a quiet period, delete the old cache",
            commands=(
                f"aws elasticache delete-serverless-cache --serverless-cache-name {_q(source)} --region {region}",
            ),
        ),
    ]


def _verify_step(copy: str, target: Target, describe: str, key: str) -> RunbookStep:
    return RunbookStep(
        title="Verify the copy",
        commands=(
            f"aws elasticache {describe} {_q(copy)} --region {_q(target.region)} --query '{key}[0]'",
            f"/cache-audit {copy} region={target.region} account={target.ctx.inventory.account}",
        ),
        note=f"{target.rule_id} must pass on the copy before any client moves.",
    )


def _switch_step(copy: str, source: str, target: Target) -> RunbookStep:
    return RunbookStep(
        title="Move clients to the copy",
        note=(
            f"Point every client (config, secrets, DNS alias) from {source}'s endpoint to {copy}'s, "
            "deploy, and watch CurrConnections fall to zero on the old one."
        ),
    )


def rebuild_plan(target: Target, *, why: str = "") -> FixPlan:
    """The runbook for `target.rule_id` on this resource, as a REBUILD plan (nothing runs)."""
    resource = target.resource
    if isinstance(resource, ReplicationGroup):
        steps = _group_steps(target, resource)
    elif isinstance(resource, CacheCluster):
        steps = _cluster_steps(target, resource)
    else:
        steps = _serverless_steps(target, resource)
    words = CHANGES.get(target.rule_id, ((), "fixed"))[1]
    runbook = Runbook(
        title=f"Rebuild {target.resource_id} for {target.rule_id}",
        summary=(why + " " if why else "")
        + f"This setting cannot change on the live {str(target.kind).replace('_', ' ')}: build a copy {words}, move clients, retire the old one.",
        steps=tuple(_prepare_steps(target) + steps),
        backout=f"Until the old {target.resource_id} is deleted, pointing clients back to it undoes the move; delete the copy afterwards.",
    )
    return target.plan(
        PlanKind.REBUILD,
        f"Rebuild {target.subject} as a copy {words}.",
        state={"rebuild": target.rule_id},
        runbook=runbook,
        risk="Clients move to a new endpoint; writes made to the old cache after the snapshot are not copied.",
        backout=runbook.backout,
    )


def needs_rebuild(rule_id: str, kind: ResourceKind) -> bool:
    """Rules whose fix is always a rebuild, and TLS on a standalone cluster (no modify parameter)."""
    if rule_id in ("CW-101", "CW-102"):
        return kind is ResourceKind.CACHE_CLUSTER
    return rule_id in REBUILD_RULES
