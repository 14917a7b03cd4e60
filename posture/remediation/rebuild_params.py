"""A rebuild as API parameters: the copy's CreateReplicationGroup call, and its diff.

The runbook's options (`rebuild_settings.group_options`, every setting of the source) are
turned into boto3 parameters, so the automated rebuild and the text runbook cannot
disagree about what is kept. A flag this module does not know is an error, never a
silently dropped setting. The AUTH token is never a parameter here: the worker reads it
from Secrets Manager at the moment of the call.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from posture.base import ResourceKind
from posture.remediation.rebuild import (
    CHANGES,
    MEMCACHED_NO_REBUILD,
    SERVERLESS_CHANGES,
    apply_change,
    new_id,
)
from posture.remediation.rebuild_settings import (
    AUTH_TOKEN,
    Options,
    group_options,
    serverless_options,
    standalone_as_group_options,
)
from posture.remediation.target import Target
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache

RG, CLUSTER, SERVERLESS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)
# The rules the automated rebuild handles, per kind of source, and the input each needs.
# CW-101/102 only reach a rebuild on engines that cannot take TLS in place (the planner decides).
AUTOMATED = (
    "CW-101", "CW-102", "CW-103", "CW-104", "CW-301", "CW-302", "CW-303", "CW-306", "CW-307",
)  # fmt: skip
AUTOMATED_BY_KIND: dict[ResourceKind, tuple[str, ...]] = {
    RG: AUTOMATED,
    # a standalone Redis OSS / Valkey cluster becomes a one-node replication group
    CLUSTER: ("CW-101", "CW-102", "CW-103", "CW-301", "CW-302", "CW-303", "CW-306", "CW-307"),
    SERVERLESS: tuple(SERVERLESS_CHANGES),
}
PLACEHOLDERS = {
    "$CMK_ARN": "kms_key_id",
    "$NEW_SUBNET_GROUP": "subnet_group",
    "$NEW_PORT": "port",
    "$NEW_SUBNET_IDS": "subnet_ids",
    "$NEW_SECURITY_GROUPS": "security_group_ids",
}
LIST_INPUTS = ("subnet_ids", "security_group_ids")  # several ids, separated by spaces or commas
AUTH_FROM_SECRET = "<read from Secrets Manager at create time>"


def _changes(rule_id: str, kind: ResourceKind) -> dict[str, tuple[str, ...]]:
    table = SERVERLESS_CHANGES if kind is SERVERLESS else CHANGES
    return table.get(rule_id, ({}, ""))[0]


def needs_inputs(rule_id: str, kind: ResourceKind = RG) -> tuple[str, ...]:
    """What the requester must choose for the copy (a KMS key, a subnet group, a port...)."""
    return tuple(
        PLACEHOLDERS[v]
        for values in _changes(rule_id, kind).values()
        for v in values
        if v in PLACEHOLDERS
    )


def rebuild_refusal(rule_id: str, kind: ResourceKind, engine: str) -> str:
    """Why cachewarden cannot run this rebuild itself ('' when it can)."""
    if kind is CLUSTER and engine == "memcached":
        return MEMCACHED_NO_REBUILD
    if rule_id not in AUTOMATED_BY_KIND.get(kind, ()):
        return f"cachewarden has no automated rebuild for {rule_id} on a {kind.value.replace('_', ' ')}."
    return ""


def rebuilds_from_chat(rule_id: str, kind: ResourceKind = RG, engine: str = "redis") -> bool:
    """The rebuild for this rule and source can run behind an approval as it is (no form)."""
    return not rebuild_refusal(rule_id, kind, engine) and not needs_inputs(rule_id, kind)


# What a person may type for each value (checked before anything is queued).
_KMS_KEY = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]{1,250})"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_SUBNET_GROUP = re.compile(r"^[a-z][a-z0-9-]{0,254}$")
_IDS = {
    "subnet_ids": re.compile(r"^subnet-[0-9a-f]{8,17}$"),
    "security_group_ids": re.compile(r"^sg-[0-9a-f]{8,17}$"),
}
INPUT_LABELS = {
    "subnet_ids": "Subnet ids for the new cache (private subnets, separated by spaces)",
    "security_group_ids": "Security group ids in the new cache's VPC (separated by spaces)",
    "kms_key_id": "Customer-managed KMS key (key ARN, alias ARN or key id)",
    "subnet_group": "Cache subnet group for the new cache (private subnets, not `default`)",
    "port": "Port for the new cache (not 6379 or 11211)",
}


def split_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text) if part]


def read_inputs(
    rule_id: str, raw: Mapping[str, str], kind: ResourceKind = RG
) -> RebuildInputs | dict[str, str]:
    """The values a person typed for the rule's rebuild, or an error per field."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for field in needs_inputs(rule_id, kind):
        text = (raw.get(field) or "").strip()
        if field in _IDS:
            ids = split_ids(text)
            if not ids or not all(_IDS[field].match(i) for i in ids):
                errors[field] = (
                    f"Give one or more ids like {'subnet-0abc1234' if field == 'subnet_ids' else 'sg-0abc1234'}."
                )
            text = " ".join(ids)
        elif field == "kms_key_id" and not _KMS_KEY.match(text):
            errors[field] = "Give the key's ARN, an alias ARN, or its key id."
        elif field == "subnet_group" and (not _SUBNET_GROUP.match(text) or text == "default"):
            errors[field] = "Give the name of a cache subnet group other than `default`."
        elif field == "port":
            port = int(text) if text.isdigit() else 0
            if not 1024 <= port <= 65535 or port in (6379, 11211):
                errors[field] = "Give a port from 1024 to 65535, other than 6379 and 11211."
            values[field] = port
            continue
        values[field] = text
    return errors or RebuildInputs(**values)  # type: ignore[arg-type]


class RebuildInputError(ValueError):
    """The plan needs a value the request did not give, or the source has one we cannot copy."""


@dataclass(frozen=True)
class RebuildInputs:
    """What the requester chooses for the copy (only what the rule's fix needs)."""

    kms_key_id: str = ""
    subnet_group: str = ""
    port: int = 0
    subnet_ids: str = ""  # ids separated by spaces
    security_group_ids: str = ""

    def value(self, placeholder: str) -> str:
        field = PLACEHOLDERS[placeholder]
        value = getattr(self, field)
        if not value:
            raise RebuildInputError(f"this rebuild needs `{field}` for the new cache")
        return str(value)


def _one(values: tuple[str, ...]) -> str:
    return shlex.split(values[0])[0]


def _many(values: tuple[str, ...]) -> list[str]:
    return [shlex.split(v)[0] for v in values]


def _tags(values: tuple[str, ...]) -> list[dict[str, str]]:
    tags = []
    for raw in _many(values):
        key, _, value = raw.removeprefix("Key=").partition(",Value=")
        if not key.startswith("aws:"):  # AWS reserves the prefix: a create call may not set it
            tags.append({"Key": key, "Value": value})
    return tags


_SWITCHES = {
    "--automatic-failover-enabled": ("AutomaticFailoverEnabled", True),
    "--multi-az-enabled": ("MultiAZEnabled", True),
    "--transit-encryption-enabled": ("TransitEncryptionEnabled", True),
    "--at-rest-encryption-enabled": ("AtRestEncryptionEnabled", True),
    "--auto-minor-version-upgrade": ("AutoMinorVersionUpgrade", True),
    "--no-auto-minor-version-upgrade": ("AutoMinorVersionUpgrade", False),
}
_VALUES: dict[str, tuple[str, Callable[[tuple[str, ...]], object]]] = {
    "--engine": ("Engine", _one),
    "--engine-version": ("EngineVersion", _one),
    "--cache-node-type": ("CacheNodeType", _one),
    "--cluster-mode": ("ClusterMode", _one),
    "--num-node-groups": ("NumNodeGroups", lambda v: int(_one(v))),
    "--replicas-per-node-group": ("ReplicasPerNodeGroup", lambda v: int(_one(v))),
    "--num-cache-clusters": ("NumCacheClusters", lambda v: int(_one(v))),
    "--cache-parameter-group-name": ("CacheParameterGroupName", _one),
    "--cache-subnet-group-name": ("CacheSubnetGroupName", _one),
    "--preferred-maintenance-window": ("PreferredMaintenanceWindow", _one),
    "--notification-topic-arn": ("NotificationTopicArn", _one),
    "--transit-encryption-mode": ("TransitEncryptionMode", _one),
    "--kms-key-id": ("KmsKeyId", _one),
    "--user-group-ids": ("UserGroupIds", _many),
    "--security-group-ids": ("SecurityGroupIds", _many),
    "--port": ("Port", lambda v: int(_one(v))),
    "--snapshot-retention-limit": ("SnapshotRetentionLimit", lambda v: int(_one(v))),
    "--snapshot-window": ("SnapshotWindow", _one),
    "--log-delivery-configurations": ("LogDeliveryConfigurations", lambda v: json.loads(_one(v))),
    "--tags": ("Tags", _tags),
    # CreateServerlessCache
    "--description": ("Description", _one),
    "--major-engine-version": ("MajorEngineVersion", _one),
    "--subnet-ids": ("SubnetIds", _many),
    "--user-group-id": ("UserGroupId", _one),
    "--daily-snapshot-time": ("DailySnapshotTime", _one),
    "--cache-usage-limits": ("CacheUsageLimits", lambda v: json.loads(_one(v))),
}


def _with_inputs(values: tuple[str, ...], inputs: RebuildInputs) -> list[str]:
    expanded: list[str] = []
    for value in values:
        if value not in PLACEHOLDERS:
            expanded.append(value)
        elif PLACEHOLDERS[value] in LIST_INPUTS:
            expanded.extend(split_ids(inputs.value(value)))
        else:
            expanded.append(inputs.value(value))
    return expanded


def options_to_params(options: Options, inputs: RebuildInputs) -> dict[str, object]:
    """boto3 parameters for the options; the AUTH token becomes a marker, never a value."""
    params: dict[str, object] = {}
    for flag, given in options.items():
        values = tuple(_with_inputs(given, inputs))
        if flag == "--auth-token" and values == (AUTH_TOKEN,):
            params["AuthToken"] = AUTH_FROM_SECRET
        elif flag in _SWITCHES:
            name, value = _SWITCHES[flag]
            params[name] = value
        elif flag in _VALUES:
            name, convert = _VALUES[flag]
            params[name] = convert(values)
        else:
            raise RebuildInputError(f"the rebuild cannot copy {flag} yet")
    return params


@dataclass(frozen=True)
class SettingChange:
    setting: str
    before: object
    after: object


@dataclass(frozen=True)
class GroupRebuildPlan:
    """The copy of one cache: ids, the create call's parameters (CreateReplicationGroup, or
    CreateServerlessCache for a serverless source), the diff."""

    rule_id: str
    source_id: str
    copy_id: str
    snapshot_name: str
    final_snapshot_name: str
    params: Mapping[str, object]
    diff: tuple[SettingChange, ...]
    needs_auth_token: bool
    source_kind: ResourceKind = RG

    def diff_lines(self) -> list[str]:
        return [f"{c.setting}: {_shown(c.before)} -> {_shown(c.after)}" for c in self.diff]


def _shown(value: object) -> str:
    return "(not set)" if value is None else json.dumps(value, sort_keys=True)


def _source_options(target: Target, serverless: bool) -> tuple[str, Options]:
    """(source id, every setting of the source as the copy's create options)."""
    resource = target.resource
    if isinstance(resource, ReplicationGroup):
        return resource.replication_group_id, group_options(target, resource)
    if isinstance(resource, CacheCluster):
        return resource.cache_cluster_id, standalone_as_group_options(target, resource)
    assert isinstance(resource, ServerlessCache) and serverless
    return resource.serverless_cache_name, serverless_options(target, resource)


def group_rebuild_plan(target: Target, inputs: RebuildInputs, rebuild_id: str) -> GroupRebuildPlan:
    """The automated rebuild for the target's rule: a replication group (also the copy of a
    standalone Redis OSS / Valkey cluster) or a serverless cache restored from a snapshot."""
    refusal = rebuild_refusal(target.rule_id, target.kind, target.engine)
    if refusal or not isinstance(
        target.resource, (ReplicationGroup, CacheCluster, ServerlessCache)
    ):
        raise RebuildInputError(
            refusal or f"{target.rule_id} on {target.subject} is not rebuilt automatically"
        )
    serverless = target.kind is SERVERLESS
    source, options = _source_options(target, serverless)
    before = options_to_params(options, inputs)
    after = options_to_params(apply_change(options, target.rule_id, serverless=serverless), inputs)
    keys = sorted(set(before) | set(after))
    diff = tuple(
        SettingChange(key, before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    )
    if not diff:
        words = (SERVERLESS_CHANGES if serverless else CHANGES)[target.rule_id][1]
        raise RebuildInputError(f"the new cache would equal {target.subject}: {words}")
    short = rebuild_id[:8]
    return GroupRebuildPlan(
        rule_id=target.rule_id,
        source_id=source,
        copy_id=new_id(source),
        snapshot_name=f"{source[:30]}-cw-{short}",
        final_snapshot_name=f"{source[:30]}-cw-{short}-final",
        params=after,
        diff=diff,
        needs_auth_token="AuthToken" in after,
        source_kind=target.kind,
    )
