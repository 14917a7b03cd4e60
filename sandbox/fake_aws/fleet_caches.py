"""Turn cache plans into API calls: each plan's bad settings pick its parameters."""

from __future__ import annotations

import random
import string
from typing import Any

from sandbox.fake_aws.fleet_model import MIN_RETENTION_DAYS, REQUIRED_TAGS, ResourceRecord
from sandbox.fake_aws.fleet_network import Network
from sandbox.fake_aws.fleet_plan import SECURE_MEMCACHED_PORT, SECURE_PORT, CachePlan

TOKEN_ALPHABET = string.ascii_letters + string.digits + "!&#$^<>-"
SHORT_RETENTION_DAYS = 3


def make_token(rng: random.Random) -> str:
    """A token AWS accepts at create time, with every character class present."""
    body = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(28))
    return f"Aa1!{body}"


def _tags(plan: CachePlan) -> list[dict[str, str]]:
    if plan.has("missing_tags"):
        return [{"Key": "Name", "Value": plan.cache_id}]
    return [{"Key": key, "Value": value} for key, value in REQUIRED_TAGS.items()] + [
        {"Key": "Name", "Value": plan.cache_id}
    ]


def _retention(plan: CachePlan) -> int:
    if plan.has("backups_off"):
        return 0
    return SHORT_RETENTION_DAYS if plan.has("backup_retention_short") else MIN_RETENTION_DAYS


def _subnet_group(plan: CachePlan) -> str:
    if plan.has("default_subnet_group"):
        return "default"
    if plan.has("public_subnet"):
        return "cw-public"
    return "cw-private-nat" if sum(map(ord, plan.cache_id)) % 2 else "cw-private"


def _security_group(plan: CachePlan, network: Network) -> str:
    prefix = "default-" if plan.has("default_subnet_group") else ""
    kind = "open" if plan.has("open_to_internet") else "trusted"
    return network.security_groups[f"{prefix}{kind}"]


def _logs(plan: CachePlan, network: Network) -> list[dict[str, Any]]:
    if plan.has("logs_off"):
        return []
    details = {"CloudWatchLogsDetails": {"LogGroup": network.log_group}}
    return [
        {"LogType": log_type, "DestinationType": "cloudwatch-logs", "LogFormat": "json",
         "DestinationDetails": details, "Enabled": True}
        for log_type in ("slow-log", "engine-log")
    ]  # fmt: skip


def _user_group(plan: CachePlan, network: Network) -> str | None:
    if plan.auth not in ("rbac-secure", "rbac-open"):
        return None
    family = "valkey" if plan.engine == "valkey" else "redis"
    return network.user_groups[f"{family}-{plan.auth.split('-')[1]}"]


def group_request(plan: CachePlan, network: Network, token: str | None) -> dict[str, Any]:
    transit = not plan.has("in_transit_off")
    at_rest = not plan.has("at_rest_off")
    request: dict[str, Any] = {
        "ReplicationGroupId": plan.cache_id,
        "ReplicationGroupDescription": f"fleet {plan.cache_id}",
        "Engine": plan.engine,
        "EngineVersion": plan.version,
        "CacheNodeType": plan.node_type,
        "NumCacheClusters": plan.replicas + 1,
        "AutomaticFailoverEnabled": plan.replicas >= 1,
        "MultiAZEnabled": plan.replicas >= 1 and not plan.has("no_multi_az"),
        "CacheSubnetGroupName": _subnet_group(plan),
        "SecurityGroupIds": [_security_group(plan, network)],
        "Port": 6379 if plan.has("default_port") else SECURE_PORT,
        "AtRestEncryptionEnabled": at_rest,
        "TransitEncryptionEnabled": transit,
        "SnapshotRetentionLimit": _retention(plan),
        "AutoMinorVersionUpgrade": not plan.has("auto_minor_upgrade_off"),
        "LogDeliveryConfigurations": _logs(plan, network),
        "Tags": _tags(plan),
    }
    if at_rest and not plan.has("at_rest_not_cmk"):
        request["KmsKeyId"] = network.kms_key_arn
    if transit:
        request["TransitEncryptionMode"] = (
            "preferred" if plan.has("in_transit_not_required") else "required"
        )
    if token:
        request["AuthToken"] = token
    user_group = _user_group(plan, network)
    if user_group:
        request["UserGroupIds"] = [user_group]
    if not plan.has("no_notifications"):
        request["NotificationTopicArn"] = network.topic_arn
    return request


def memcached_request(plan: CachePlan, network: Network) -> dict[str, Any]:
    request: dict[str, Any] = {
        "CacheClusterId": plan.cache_id,
        "Engine": "memcached",
        "EngineVersion": plan.version,
        "CacheNodeType": plan.node_type,
        "NumCacheNodes": plan.replicas,
        "CacheSubnetGroupName": _subnet_group(plan),
        "SecurityGroupIds": [_security_group(plan, network)],
        "Port": 11211 if plan.has("default_port") else SECURE_MEMCACHED_PORT,
        "TransitEncryptionEnabled": not plan.has("in_transit_off"),
        "AutoMinorVersionUpgrade": not plan.has("auto_minor_upgrade_off"),
        "Tags": _tags(plan),
    }
    if not plan.has("no_notifications"):
        request["NotificationTopicArn"] = network.topic_arn
    return request


def serverless_request(plan: CachePlan, network: Network) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ServerlessCacheName": plan.cache_id,
        "Engine": plan.engine,
        "SubnetIds": network.private_subnets,
        "SecurityGroupIds": [_security_group(plan, network)],
        "SnapshotRetentionLimit": _retention(plan),
        "Tags": _tags(plan),
    }
    if not plan.has("at_rest_not_cmk"):
        request["KmsKeyId"] = network.kms_key_arn
    user_group = _user_group(plan, network)
    if user_group:
        request["UserGroupId"] = user_group
    return request


def record_of(
    plan: CachePlan, arn: str, members: list[str], details: dict[str, Any]
) -> ResourceRecord:
    return ResourceRecord(
        kind=plan.kind,
        resource_id=plan.cache_id,
        account=plan.account,
        region=plan.region,
        engine=plan.engine,
        engine_version=plan.version or None,
        bad=tuple(sorted(plan.bad)),
        arn=arn,
        member_clusters=tuple(members),
        details=details,
    )
