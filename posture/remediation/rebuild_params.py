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

from posture.remediation.rebuild import CHANGES, apply_change, new_id
from posture.remediation.rebuild_settings import AUTH_TOKEN, Options, group_options
from posture.remediation.target import Target
from posture.resources import ReplicationGroup

# The rules the automated rebuild handles for replication groups, and the input each needs.
# CW-101/102 only reach a rebuild on engines that cannot take TLS in place (the planner decides).
AUTOMATED = ("CW-101", "CW-102", "CW-103", "CW-104", "CW-301", "CW-302", "CW-303", "CW-306")
PLACEHOLDERS = {"$CMK_ARN": "kms_key_id", "$NEW_SUBNET_GROUP": "subnet_group", "$NEW_PORT": "port"}
AUTH_FROM_SECRET = "<read from Secrets Manager at create time>"


def needs_inputs(rule_id: str) -> tuple[str, ...]:
    """What the requester must choose for the copy (a KMS key, a subnet group, a port)."""
    options = CHANGES.get(rule_id, ({}, ""))[0]
    return tuple(
        PLACEHOLDERS[v] for values in options.values() for v in values if v in PLACEHOLDERS
    )


def rebuilds_from_chat(rule_id: str) -> bool:
    """A replication group's rebuild for this rule can run behind an approval as it is."""
    return rule_id in AUTOMATED and not needs_inputs(rule_id)


# What a person may type for each value (checked before anything is queued).
_KMS_KEY = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]{1,250})"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_SUBNET_GROUP = re.compile(r"^[a-z][a-z0-9-]{0,254}$")
INPUT_LABELS = {
    "kms_key_id": "Customer-managed KMS key (key ARN, alias ARN or key id)",
    "subnet_group": "Cache subnet group for the new cache (private subnets, not `default`)",
    "port": "Port for the new cache (not 6379 or 11211)",
}


def read_inputs(rule_id: str, raw: Mapping[str, str]) -> RebuildInputs | dict[str, str]:
    """The values a person typed for the rule's rebuild, or an error per field."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for field in needs_inputs(rule_id):
        text = (raw.get(field) or "").strip()
        if field == "kms_key_id" and not _KMS_KEY.match(text):
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
}


def options_to_params(options: Options, inputs: RebuildInputs) -> dict[str, object]:
    """boto3 parameters for the options; the AUTH token becomes a marker, never a value."""
    params: dict[str, object] = {}
    for flag, values in options.items():
        values = tuple(inputs.value(v) if v in PLACEHOLDERS else v for v in values)
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
    """The copy of one replication group: ids, the create call's parameters, the diff."""

    rule_id: str
    source_id: str
    copy_id: str
    snapshot_name: str
    final_snapshot_name: str
    params: Mapping[str, object]
    diff: tuple[SettingChange, ...]
    needs_auth_token: bool

    def diff_lines(self) -> list[str]:
        return [f"{c.setting}: {_shown(c.before)} -> {_shown(c.after)}" for c in self.diff]


def _shown(value: object) -> str:
    return "(not set)" if value is None else json.dumps(value, sort_keys=True)


def group_rebuild_plan(target: Target, inputs: RebuildInputs, rebuild_id: str) -> GroupRebuildPlan:
    """The automated rebuild of a replication group for the target's rule."""
    group = target.resource
    if not isinstance(group, ReplicationGroup) or target.rule_id not in AUTOMATED:
        raise RebuildInputError(
            f"{target.rule_id} on {target.subject} is not rebuilt automatically"
        )
    before = options_to_params(group_options(target, group), inputs)
    after = options_to_params(apply_change(group_options(target, group), target.rule_id), inputs)
    keys = sorted(set(before) | set(after))
    diff = tuple(
        SettingChange(key, before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    )
    if not diff:
        raise RebuildInputError(
            f"the new cache would equal {target.subject}: {CHANGES[target.rule_id][1]}"
        )
    source, short = group.replication_group_id, rebuild_id[:8]
    return GroupRebuildPlan(
        rule_id=target.rule_id,
        source_id=source,
        copy_id=new_id(source),
        snapshot_name=f"{source[:30]}-cw-{short}",
        final_snapshot_name=f"{source[:30]}-cw-{short}-final",
        params=after,
        diff=diff,
        needs_auth_token="AuthToken" in after,
    )
