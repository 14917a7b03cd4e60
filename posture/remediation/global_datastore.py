"""Members of a global datastore are not changed in place: say which API owns the setting.

Facts (AWS ElastiCache API Reference and guide):
- ModifyGlobalReplicationGroup changes, for every member at once, the automatic failover,
  node type, engine and engine version, and parameter group
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyGlobalReplicationGroup.html).
- Members must share node type, engine version and shard count; a secondary inherits
  Multi-AZ and automatic failover from the primary when it joins
  (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html).
- Encryption settings are fixed when the datastore is created: no global call changes them.
"""

from __future__ import annotations

import shlex

from posture.remediation.model import FixPlan
from posture.remediation.target import Target
from posture.resources import ReplicationGroup

GLOBAL_DOC = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyGlobalReplicationGroup.html"
# Rules whose in-place fix calls ModifyReplicationGroup on the member itself.
MEMBER_MODIFY_RULES = frozenset(
    {"CW-101", "CW-102", "CW-202", "CW-401", "CW-402", "CW-403", "CW-404", "CW-405"}
)


def _global_failover_cli(global_id: str, region: str) -> str:
    return (
        "aws elasticache modify-global-replication-group "
        f"--global-replication-group-id {shlex.quote(global_id)} "
        f"--automatic-failover-enabled --apply-immediately --region {shlex.quote(region)}"
    )


def _what_applies(rule_id: str, global_id: str, region: str) -> str:
    if rule_id == "CW-403":
        return (
            "Automatic failover is a setting of the whole datastore: change it with "
            f"ModifyGlobalReplicationGroup (`{_global_failover_cli(global_id, region)}`), "
            "run from the primary's Region."
        )
    if rule_id == "CW-404":
        return (
            "ModifyGlobalReplicationGroup has no Multi-AZ parameter: a secondary takes Multi-AZ "
            "and failover from the primary when it joins. Turn on failover for the datastore with "
            f"`{_global_failover_cli(global_id, region)}` and review Multi-AZ on the primary "
            "member in its own Region."
        )
    if rule_id in ("CW-101", "CW-102"):
        return (
            "In-transit encryption of a global datastore is chosen when it is created; "
            "ModifyGlobalReplicationGroup cannot change it. Build a new global datastore "
            "from a primary with TLS and move clients to it."
        )
    return (
        "This setting is not one ModifyGlobalReplicationGroup changes (it covers failover, "
        "node type, engine version and parameter group); it is set per member with "
        "ModifyReplicationGroup in each member's own Region. Change it by hand on every member "
        "so the Regions stay alike."
    )


def global_member_refusal(target: Target) -> FixPlan | None:
    """A BLOCKED plan for a member of a global datastore, or None when the fix may go ahead."""
    group = target.resource
    if not isinstance(group, ReplicationGroup) or target.rule_id not in MEMBER_MODIFY_RULES:
        return None
    global_id = group.global_datastore_id
    if not global_id:
        return None
    info = group.global_replication_group_info
    role = (info.global_replication_group_member_role or "member").lower() if info else "member"
    reason = (
        f"{target.subject} is the {role} of global datastore {global_id}, so cachewarden does "
        f"not change it in place: a change to one member can leave the Regions out of step. "
        f"{_what_applies(target.rule_id, global_id, target.region)} See {GLOBAL_DOC}"
    )
    return target.blocked(
        reason, state={"global_datastore": global_id, "role": role, "rule": target.rule_id}
    )
