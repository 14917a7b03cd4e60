"""Fixes that change a live cache with one approved modify call (CW-401, 402, 405, 403, 404, 101, 102).

Each planner reads the snapshot and the policy and returns the exact call, the words an
approver reads, the risk and the way back. A missing precondition becomes a BLOCKED plan
that says what to do first. Security group and RBAC fixes live in `access_fixes`.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from posture.base import ResourceKind
from posture.remediation.endpoints import preferred_endpoint_warning, required_endpoint_warning
from posture.remediation.model import FixPlan, PlanKind
from posture.remediation.target import Target
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache
from posture.rules.resilience import replica_count

STEP_TWO_RULE = "CW-102"


def _memcached_node(target: Target) -> bool:
    return isinstance(target.resource, CacheCluster) and target.engine == "memcached"


def plan_backups(target: Target) -> FixPlan:
    """CW-401 / CW-402: automatic backups kept for the policy's minimum number of days."""
    if _memcached_node(target):
        return target.blocked(
            "Node-based Memcached has no backups; only serverless Memcached does."
        )
    current = target.resource.snapshot_retention_limit or 0
    days = max(target.policy.backups.minimum_retention_days, current)
    call = target.modify(SnapshotRetentionLimit=days)
    undo = target.modify(SnapshotRetentionLimit=current)
    return target.plan(
        PlanKind.IN_PLACE,
        f"Keep automatic daily backups of {target.subject} for {days} days "
        f"(the policy minimum; today {current}).",
        state={"retention": current},
        calls=(call,),
        risk=(
            "A daily snapshot forks the engine: on a node with little free memory the backup "
            "window can add latency. Snapshot storage beyond the free allowance is billed."
        ),
        backout=f"Set the retention back to {current} days: `{undo.cli(target.region)}`.",
    )


def _minor_upgrades_on(target: Target) -> bool | None:
    resource = target.resource
    if isinstance(resource, ServerlessCache):
        return None
    setting = resource.auto_minor_version_upgrade
    if setting is None and isinstance(resource, ReplicationGroup):
        known = [
            m.auto_minor_version_upgrade
            for m in target.ctx.members(resource)
            if m.auto_minor_version_upgrade is not None
        ]
        setting = all(known) if known else None
    return setting


def plan_minor_upgrades(target: Target) -> FixPlan:
    """CW-405: let AWS apply minor engine versions (security fixes) in the maintenance window."""
    if target.kind is ResourceKind.SERVERLESS_CACHE:
        return target.blocked("Serverless caches are always kept on the latest minor version.")
    current = _minor_upgrades_on(target)
    call = target.modify(AutoMinorVersionUpgrade=True)
    undo = target.modify(AutoMinorVersionUpgrade=False)
    return target.plan(
        PlanKind.IN_PLACE,
        f"Turn on automatic minor version upgrades for {target.subject}.",
        state={"auto_minor_version_upgrade": current},
        calls=(call,),
        risk=(
            "AWS will apply minor engine upgrades in the weekly maintenance window; each one "
            "restarts nodes or fails over, which clients see as a short reconnect."
        ),
        backout=f"Turn it off again: `{undo.cli(target.region)}`.",
    )


def _no_replica_reason(target: Target, group: ReplicationGroup, what: str) -> str:
    grow = (
        f"aws elasticache increase-replica-count --replication-group-id {group.replication_group_id} "
        f"--new-replica-count 1 --apply-immediately --region {target.region}"
    )
    return (
        f"{target.subject} has no replica, so {what} has nothing to move to: AWS refuses both "
        f"automatic failover and Multi-AZ on a group without replicas. Add a replica first "
        f"(`{grow}`; it adds one node to the bill), then request this fix again."
    )


def plan_availability(target: Target) -> FixPlan:
    """CW-403 / CW-404: automatic failover, and Multi-AZ (which needs failover), where replicas exist."""
    group = target.resource
    if not isinstance(group, ReplicationGroup):
        return target.blocked("Only replication groups have failover and Multi-AZ settings.")
    multi_az = target.rule_id == "CW-404"
    what = "Multi-AZ" if multi_az else "automatic failover"
    state = {
        "failover": group.automatic_failover,
        "multi_az": group.multi_az,
        "replicas": replica_count(group),
    }
    if replica_count(group) == 0:
        return target.blocked(_no_replica_reason(target, group, what), state=state)
    params: dict[str, object] = {"AutomaticFailoverEnabled": True}
    undo: dict[str, object] = {}
    if group.automatic_failover != "enabled":
        undo["AutomaticFailoverEnabled"] = False
    if multi_az:
        params["MultiAZEnabled"] = True
        undo["MultiAZEnabled"] = False
    wording = "Multi-AZ with automatic failover" if multi_az else "automatic failover"
    return target.plan(
        PlanKind.IN_PLACE,
        f"Turn on {wording} for {target.subject} ({state['replicas']} replica(s) can take over).",
        state=state,
        calls=(target.modify(**params),),
        risk=(
            "When the primary fails, a replica is promoted and the primary endpoint moves to it; "
            "writes fail for a few seconds during that switch. Clients must use the primary "
            "endpoint, not a node endpoint."
        ),
        backout=f"Switch it off again: `{target.modify(**undo).cli(target.region)}`."
        if undo
        else "Nothing to undo beyond Multi-AZ.",
    )


# Online TLS migration (ModifyReplicationGroup) needs Redis OSS 7.0+ or Valkey 7.2+:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable-python.html
TLS_IN_PLACE_MINIMUM = {"redis": Version("7.0"), "valkey": Version("7.2")}


def tls_in_place_refusal(target: Target) -> str | None:
    """Why TLS cannot be turned on in place on this group (old engine), or None."""
    minimum = TLS_IN_PLACE_MINIMUM.get(target.engine)
    if minimum is None or not isinstance(target.resource, ReplicationGroup):
        return None
    label = "Valkey" if target.engine == "valkey" else "Redis OSS"
    if target.version is None:
        return None  # unknown version: AWS decides, and a refusal falls back to the rebuild
    try:
        too_old = Version(target.version) < minimum
    except InvalidVersion:
        return None
    if not too_old:
        return None
    upgrade = target.modify(EngineVersion=str(minimum)).cli(target.region)
    return (
        f"AWS turns TLS on in place only on {label} {minimum} or later; {target.subject} runs "
        f"{target.version}. Either upgrade the engine first (`{upgrade}`, after testing your "
        "clients on it) and request this fix again, or rebuild a copy with TLS as below."
    )


def plan_in_transit(target: Target) -> FixPlan:
    """CW-101 step 1: TLS on in `preferred` mode, so clients can move without an outage."""
    group = target.resource
    assert isinstance(group, ReplicationGroup)  # the planner sends other kinds to a rebuild
    call = target.modify(TransitEncryptionEnabled=True, TransitEncryptionMode="preferred")
    undo = target.modify(TransitEncryptionEnabled=False)
    warning = preferred_endpoint_warning(group)
    return target.plan(
        PlanKind.IN_PLACE,
        f"Turn on in-transit encryption for {target.subject} in `preferred` mode (step 1 of 2): "
        "the group accepts TLS and plaintext clients, so existing clients keep working. "
        "New TLS endpoint names are created; clients must move to them before step 2.",
        state={"tls": group.transit_encryption_enabled, "mode": group.transit_encryption_mode},
        calls=(call,),
        risk=(
            "TLS costs some CPU and latency on the nodes. The group gets new DNS names for TLS; "
            "clients that keep the old names lose them at step 2. If AWS refuses the change in "
            "place, nothing changes and the rebuild runbook is posted."
        ),
        backout=f"While the mode is still preferred, turn TLS off again: `{undo.cli(target.region)}`.",
        next_step=(
            "Step 2 of 2: move every client to TLS and to the new endpoint names shown here, then "
            f"request the fix for {STEP_TWO_RULE} to switch the mode to `required` (it deletes the "
            "old names)."
        ),
        warning=warning,
    )


def plan_in_transit_required(target: Target) -> FixPlan:
    """CW-102 step 2: refuse plaintext clients once they have moved to TLS."""
    group = target.resource
    assert isinstance(group, ReplicationGroup)
    state = {"tls": group.transit_encryption_enabled, "mode": group.transit_encryption_mode}
    if not group.transit_encryption_enabled:
        return target.blocked(
            f"{target.subject} has in-transit encryption off; request the CW-101 fix first "
            "(step 1 turns TLS on in preferred mode).",
            state=state,
        )
    call = target.modify(TransitEncryptionEnabled=True, TransitEncryptionMode="required")
    undo = target.modify(TransitEncryptionMode="preferred")
    return target.plan(
        PlanKind.IN_PLACE,
        f"Require TLS on {target.subject}: switch TransitEncryptionMode from "
        f"`{group.transit_encryption_mode}` to `required` (step 2 of 2). The old non-TLS "
        "endpoint names are deleted.",
        state=state,
        calls=(call,),
        risk=(
            "Every client that still connects without TLS, or through an old non-TLS endpoint "
            "name, is disconnected and cannot reconnect. Approve only when every client uses "
            "TLS (rediss:// or ssl=True) and the endpoint names the group reports now."
        ),
        backout=(
            f"Accept plaintext clients again: `{undo.cli(target.region)}`. Read the endpoint "
            "names from describe-replication-groups afterwards; do not count on the deleted "
            "non-TLS names coming back."
        ),
        warning=required_endpoint_warning(group),
    )
