"""The settings a rebuilt copy keeps, as CLI options of its create call.

A copy that forgets one setting is a new outage (no AUTH, no Multi-AZ, the default
parameter group), so everything the snapshots carry is copied: engine and version, node
type, shard layout, parameter group, subnet group, security groups, port, failover,
Multi-AZ, TLS and its mode, at-rest encryption and key, AUTH (from Secrets Manager, never
inline) or user groups, backups and their window, maintenance window, notification
topic, log delivery, minor-version upgrades and tags. Options are kept as an ordered map
from flag to values so a rule's change replaces the source's value instead of adding a
second one.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping

from posture.remediation.endpoints import cluster_mode_enabled
from posture.remediation.target import Target
from posture.resources import (
    CacheCluster,
    LogDeliveryConfiguration,
    ReplicationGroup,
    ServerlessCache,
)
from posture.rules.facts import cache_port, node_clusters, security_group_ids
from posture.rules.resilience import replica_count

Options = dict[str, tuple[str, ...]]  # "--flag" -> values; () for a switch
AUTH_TOKEN = '"$AUTH_TOKEN"'


def q(value: object) -> str:
    return shlex.quote(str(value))


def render(options: Mapping[str, tuple[str, ...]]) -> str:
    return " ".join(" ".join((flag, *values)) for flag, values in options.items())


def auth_secret_id(target: Target) -> str:
    """Where cachewarden's rotation keeps the token of this cache (policy prefix + id)."""
    return f"{target.policy.auth.secret_name_prefix}{target.resource_id}"


def _log_delivery(configs: tuple[LogDeliveryConfiguration, ...]) -> tuple[str, ...]:
    entries = []
    for config in configs:
        if not config.destination_type or (config.status or "active") not in ("active", "enabling"):
            continue
        entry: dict[str, object] = {
            "LogType": config.log_type,
            "DestinationType": config.destination_type,
            "LogFormat": config.log_format or "json",
            "Enabled": True,
        }
        if config.destination_details:
            entry["DestinationDetails"] = config.destination_details
        entries.append(entry)
    return (q(json.dumps(entries, separators=(",", ":"))),) if entries else ()


def _tags(target: Target, arn: str) -> tuple[str, ...]:
    tags = target.ctx.tags_of(arn) if arn else {}
    return tuple(q(f"Key={key},Value={value}") for key, value in sorted(tags.items()))


def _node_settings(target: Target, node: CacheCluster | None, options: Options) -> None:
    """Settings AWS reports per node cluster: parameter group, windows, topic, subnet group."""
    if node is None:
        return
    parameter_group = (node.cache_parameter_group or {}).get("CacheParameterGroupName")
    if parameter_group:
        options["--cache-parameter-group-name"] = (q(parameter_group),)
    if node.cache_subnet_group_name:
        options["--cache-subnet-group-name"] = (q(node.cache_subnet_group_name),)
    if node.preferred_maintenance_window:
        options["--preferred-maintenance-window"] = (q(node.preferred_maintenance_window),)
    topic = node.notification_configuration
    if topic and topic.topic_arn and (topic.topic_status or "active") == "active":
        options["--notification-topic-arn"] = (q(topic.topic_arn),)


def _common(target: Target, options: Options, snapshot_window: str | None) -> None:
    groups = security_group_ids(target.resource, target.ctx)
    if groups:
        options["--security-group-ids"] = tuple(q(g) for g in groups)
    options["--port"] = (str(cache_port(target.resource, target.ctx)),)
    retention = target.resource.snapshot_retention_limit or 0
    if retention:
        options["--snapshot-retention-limit"] = (str(retention),)
        if snapshot_window:
            options["--snapshot-window"] = (q(snapshot_window),)


def _auth(target: Target, options: Options, user_groups: tuple[str, ...], token: bool) -> None:
    if user_groups:
        options["--user-group-ids"] = tuple(q(g) for g in user_groups)
    elif token:
        options["--auth-token"] = (AUTH_TOKEN,)


def _minor_upgrades(options: Options, setting: bool | None) -> None:
    if setting is True:
        options["--auto-minor-version-upgrade"] = ()
    elif setting is False:
        options["--no-auto-minor-version-upgrade"] = ()


def _shards(group: ReplicationGroup, options: Options) -> None:
    if cluster_mode_enabled(group) or len(group.node_groups) > 1:
        shards = max(len(group.node_groups), 1)
        options["--cluster-mode"] = ("enabled",)
        options["--num-node-groups"] = (str(shards),)
        options["--replicas-per-node-group"] = (str(replica_count(group) // shards),)
    else:
        options["--num-cache-clusters"] = (str(max(len(group.member_clusters), 1)),)


def group_options(target: Target, group: ReplicationGroup) -> Options:
    """Every setting of a replication group, as create-replication-group options."""
    members = node_clusters(group, target.ctx)
    first = members[0] if members else None
    options: Options = {"--engine": (q(group.engine),)}
    if target.version:
        options["--engine-version"] = (q(target.version),)
    if group.cache_node_type:
        options["--cache-node-type"] = (q(group.cache_node_type),)
    _shards(group, options)
    _node_settings(target, first, options)
    if group.automatic_failover in ("enabled", "enabling"):
        options["--automatic-failover-enabled"] = ()
    if group.multi_az == "enabled":
        options["--multi-az-enabled"] = ()
    if group.transit_encryption_enabled:
        options["--transit-encryption-enabled"] = ()
        if group.transit_encryption_mode == "preferred":
            options["--transit-encryption-mode"] = ("preferred",)
    if group.at_rest_encryption_enabled or group.storage_encryption_type in (
        "sse-elasticache",
        "sse-kms",
    ):
        options["--at-rest-encryption-enabled"] = ()
    if group.kms_key_id:
        options["--kms-key-id"] = (q(group.kms_key_id),)
    _auth(target, options, group.user_group_ids, bool(group.auth_token_enabled))
    _common(target, options, group.snapshot_window)
    logs = _log_delivery(group.log_delivery_configurations)
    if logs:
        options["--log-delivery-configurations"] = logs
    _minor_upgrades(options, group.auto_minor_version_upgrade)
    tags = _tags(target, group.arn)
    if tags:
        options["--tags"] = tags
    return options


def standalone_as_group_options(target: Target, cluster: CacheCluster) -> Options:
    """A standalone Redis OSS or Valkey cluster rebuilt as a one-node replication group.

    At-rest encryption, KMS keys and TLS modes exist only on replication groups, so the copy
    is a group (AWS's recommended shape for these engines), seeded from the cluster's snapshot.
    """
    options: Options = {"--engine": (q(cluster.engine),)}
    if cluster.engine_version:
        options["--engine-version"] = (q(cluster.engine_version),)
    if cluster.cache_node_type:
        options["--cache-node-type"] = (q(cluster.cache_node_type),)
    options["--num-cache-clusters"] = ("1",)
    _node_settings(target, cluster, options)
    if cluster.transit_encryption_enabled:
        options["--transit-encryption-enabled"] = ()
        if cluster.transit_encryption_mode == "preferred":
            options["--transit-encryption-mode"] = ("preferred",)
    if cluster.at_rest_encryption_enabled:
        options["--at-rest-encryption-enabled"] = ()
    _auth(target, options, (), bool(cluster.auth_token_enabled))
    _common(target, options, cluster.snapshot_window)
    _cluster_extras(target, cluster, options)
    return options


def memcached_options(target: Target, cluster: CacheCluster) -> Options:
    """Every setting of a Memcached cluster, as create-cache-cluster options."""
    options: Options = {"--engine": (q(cluster.engine),)}
    if cluster.engine_version:
        options["--engine-version"] = (q(cluster.engine_version),)
    if cluster.cache_node_type:
        options["--cache-node-type"] = (q(cluster.cache_node_type),)
    options["--num-cache-nodes"] = (str(cluster.num_cache_nodes or 1),)
    _node_settings(target, cluster, options)
    if cluster.transit_encryption_enabled:
        options["--transit-encryption-enabled"] = ()
    _common(target, options, None)
    _cluster_extras(target, cluster, options)
    return options


def _cluster_extras(target: Target, cluster: CacheCluster, options: Options) -> None:
    logs = _log_delivery(cluster.log_delivery_configurations)
    if logs:
        options["--log-delivery-configurations"] = logs
    _minor_upgrades(options, cluster.auto_minor_version_upgrade)
    tags = _tags(target, cluster.arn)
    if tags:
        options["--tags"] = tags


def serverless_options(target: Target, cache: ServerlessCache) -> Options:
    """Every setting of a serverless cache, as create-serverless-cache options."""
    options: Options = {"--engine": (q(cache.engine),)}
    if cache.description:
        options["--description"] = (q(cache.description),)
    if cache.major_engine_version:
        options["--major-engine-version"] = (q(cache.major_engine_version),)
    if cache.security_group_ids:
        options["--security-group-ids"] = tuple(q(g) for g in cache.security_group_ids)
    if cache.subnet_ids:
        options["--subnet-ids"] = tuple(q(s) for s in cache.subnet_ids)
    if cache.user_group_id:
        options["--user-group-id"] = (q(cache.user_group_id),)
    if cache.kms_key_id:
        options["--kms-key-id"] = (q(cache.kms_key_id),)
    if cache.snapshot_retention_limit:
        options["--snapshot-retention-limit"] = (str(cache.snapshot_retention_limit),)
    if cache.daily_snapshot_time:
        options["--daily-snapshot-time"] = (q(cache.daily_snapshot_time),)
    if cache.cache_usage_limits:  # the copy keeps the source's cost ceiling
        limits = json.dumps(cache.cache_usage_limits, separators=(",", ":"), sort_keys=True)
        options["--cache-usage-limits"] = (q(limits),)
    tags = _tags(target, cache.arn)
    if tags:
        options["--tags"] = tags
    return options
