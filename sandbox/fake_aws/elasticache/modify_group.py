"""ModifyReplicationGroup: validate like AWS, then apply now or after a few describes.

Changes AWS shows under `PendingModifiedValues` (AUTH token, TLS, failover, user groups,
engine) wait `modify_delay_describes` describe calls; the rest applies at once. Either
way the group reads `modifying` until the deferred part lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache import naming
from sandbox.fake_aws.elasticache.auth import TokenRequest, plan_token_change
from sandbox.fake_aws.elasticache.errors import (
    ElastiCacheError,
    invalid_combination,
    invalid_value,
)
from sandbox.fake_aws.elasticache.records import PendingChange, ReplicationGroupRecord
from sandbox.fake_aws.elasticache.store import ElastiCacheStore, check_security_groups
from sandbox.fake_aws.elasticache.validation import (
    check_retention,
    log_delivery_records,
    rbac_version_ok,
)

IMMEDIATE_PARAMS = {
    "ReplicationGroupDescription": "description",
    "SnapshotRetentionLimit": "snapshot_retention_limit",
    "SnapshotWindow": "snapshot_window",
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "NotificationTopicArn": "notification_topic_arn",
    "NotificationTopicStatus": "notification_topic_status",
    "PreferredMaintenanceWindow": "preferred_maintenance_window",
}


@dataclass
class Plan:
    immediate: dict[str, Any] = field(default_factory=dict)
    deferred: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)
    during: dict[str, Any] = field(default_factory=dict)
    token_change: bool = False

    def is_empty(self) -> bool:
        return not (self.immediate or self.deferred)


def plan_modify(
    store: ElastiCacheStore, group: ReplicationGroupRecord, params: dict[str, Any]
) -> Plan:
    if group.status != "available":
        raise ElastiCacheError(
            "InvalidReplicationGroupState",
            f"Replication group {group.replication_group_id} must be available to be "
            f"modified; it is {group.status}.",
        )
    plan = Plan()
    _plan_simple(store, group, params, plan)
    _plan_user_groups_and_token(store, group, params, plan)
    _plan_transit(group, params, plan)
    _plan_availability(group, params, plan)
    _plan_engine(group, params, plan)
    return plan


def _plan_simple(
    store: ElastiCacheStore, group: ReplicationGroupRecord, params: dict[str, Any], plan: Plan
) -> None:
    for param, attribute in IMMEDIATE_PARAMS.items():
        if params.get(param) is not None:
            plan.immediate[attribute] = params[param]
    if "snapshot_retention_limit" in plan.immediate:
        check_retention(plan.immediate["snapshot_retention_limit"])
    security_groups = params.get("SecurityGroupIds")
    if security_groups:
        vpc_id = store.subnet_groups[group.cache_subnet_group_name].vpc_id
        check_security_groups(store, security_groups, vpc_id)
        plan.immediate["security_group_ids"] = list(security_groups)
    if params.get("LogDeliveryConfigurations"):
        plan.immediate["log_delivery_configurations"] = log_delivery_records(
            group.log_delivery_configurations, params["LogDeliveryConfigurations"]
        )


def _user_groups_after(
    store: ElastiCacheStore, group: ReplicationGroupRecord, params: dict[str, Any]
) -> list[str]:
    to_add = list(params.get("UserGroupIdsToAdd") or [])
    to_remove = list(params.get("UserGroupIdsToRemove") or [])
    for user_group_id in to_add:
        if user_group_id not in store.user_groups:
            raise ElastiCacheError("UserGroupNotFound", f"User group {user_group_id} not found.")
    for user_group_id in to_remove:
        if user_group_id not in group.user_group_ids:
            raise invalid_value(f"User group {user_group_id} is not associated with the group.")
    kept = [] if params.get("RemoveUserGroups") else group.user_group_ids
    after = [g for g in kept if g not in to_remove] + [g for g in to_add if g not in kept]
    if len(after) > 1:
        raise invalid_combination("A replication group can be associated with one user group.")
    return after


def _plan_user_groups_and_token(
    store: ElastiCacheStore, group: ReplicationGroupRecord, params: dict[str, Any], plan: Plan
) -> None:
    after = _user_groups_after(store, group, params)
    added = [g for g in after if g not in group.user_group_ids]
    token, strategy = params.get("AuthToken"), params.get("AuthTokenUpdateStrategy")
    if added:
        _check_user_group_allowed(group, strategy)
    if token is not None or strategy is not None:
        if not group.transit_encryption_enabled:
            raise invalid_combination(
                "AUTH token requires in-transit encryption (TransitEncryptionEnabled)."
            )
        request = TokenRequest(token, strategy, bool(added), bool(after))
        outcome = plan_token_change(group.auth_tokens, group.last_rotated_token, request)
        plan.deferred["auth_tokens"] = outcome.tokens
        plan.deferred["last_rotated_token"] = outcome.last_rotated
        plan.token_change = True
        if outcome.status:
            plan.shown["AuthTokenStatus"] = outcome.status
    if after != group.user_group_ids:
        plan.deferred["user_group_ids"] = after
        removed = [g for g in group.user_group_ids if g not in after]
        plan.shown["UserGroups"] = {"UserGroupIdsToAdd": added, "UserGroupIdsToRemove": removed}


def _check_user_group_allowed(group: ReplicationGroupRecord, strategy: str | None) -> None:
    if group.auth_tokens and (strategy or "").upper() != "DELETE":
        raise invalid_combination(
            "User group can't be associated with auth token enabled replication group. "
            "Use AuthTokenUpdateStrategy DELETE to move to RBAC."
        )
    if not group.transit_encryption_enabled:
        raise invalid_combination("User groups require in-transit encryption.")
    if not rbac_version_ok(group.engine, group.engine_version):
        raise invalid_combination(
            f"User groups need Redis OSS 6.0 or later; the group runs {group.engine_version}."
        )


def _plan_transit(group: ReplicationGroupRecord, params: dict[str, Any], plan: Plan) -> None:
    enabled, mode = params.get("TransitEncryptionEnabled"), params.get("TransitEncryptionMode")
    if enabled is None and mode is None:
        return
    if mode is not None and mode not in ("preferred", "required"):
        raise invalid_value(f"Invalid TransitEncryptionMode: {mode}.")
    if enabled is False:
        _check_transit_disable(group, plan)
    elif not group.transit_encryption_enabled:
        _check_transit_enable(group, enabled, mode)
        plan.deferred.update(transit_encryption_enabled=True, transit_encryption_mode="preferred")
        plan.shown.update(TransitEncryptionEnabled=True, TransitEncryptionMode="preferred")
    elif mode is not None and mode != group.transit_encryption_mode:
        if mode == "required" and group.transit_encryption_mode != "preferred":
            raise invalid_combination(
                "TransitEncryptionMode can become required only from preferred."
            )
        plan.deferred["transit_encryption_mode"] = mode
        plan.shown["TransitEncryptionMode"] = mode


def _check_transit_enable(
    group: ReplicationGroupRecord, enabled: bool | None, mode: str | None
) -> None:
    if enabled is not True:
        raise invalid_combination("TransitEncryptionMode needs TransitEncryptionEnabled=true.")
    if mode != "preferred":
        raise invalid_combination(
            "In-transit encryption on an existing group must start with "
            "TransitEncryptionMode=preferred; move to required afterwards."
        )
    minimum = (7, 2) if group.engine == "valkey" else (7, 0)
    if naming.version_tuple(group.engine_version)[:2] < minimum:
        raise invalid_combination(
            f"In-place in-transit encryption needs engine {minimum[0]}.{minimum[1]} or later; "
            f"the group runs {group.engine} {group.engine_version}."
        )


def _check_transit_disable(group: ReplicationGroupRecord, plan: Plan) -> None:
    if not group.transit_encryption_enabled:
        return
    if group.transit_encryption_mode != "preferred":
        raise invalid_combination("Set TransitEncryptionMode to preferred before disabling TLS.")
    if group.auth_tokens or group.user_group_ids:
        raise invalid_combination("TLS can't be disabled while AUTH or RBAC is in use.")
    plan.deferred.update(transit_encryption_enabled=False, transit_encryption_mode=None)
    plan.shown["TransitEncryptionEnabled"] = False


def _replicas(group: ReplicationGroupRecord) -> int:
    return group.replicas_per_node_group


def _plan_availability(group: ReplicationGroupRecord, params: dict[str, Any], plan: Plan) -> None:
    failover, multi_az = params.get("AutomaticFailoverEnabled"), params.get("MultiAZEnabled")
    failover_after = group.automatic_failover == "enabled" if failover is None else failover
    multi_az_after = group.multi_az == "enabled" if multi_az is None else multi_az
    if (failover or multi_az) and _replicas(group) < 1:
        raise invalid_combination("Automatic failover and Multi-AZ need at least one replica.")
    if multi_az_after and not failover_after:
        raise invalid_combination("Multi-AZ requires automatic failover to be enabled.")
    if group.cluster_mode and failover is False:
        raise invalid_combination("Cluster mode enabled groups must keep automatic failover.")
    if failover is not None and failover != (group.automatic_failover == "enabled"):
        plan.deferred["automatic_failover"] = "enabled" if failover else "disabled"
        plan.during["automatic_failover"] = "enabling" if failover else "disabling"
        plan.shown["AutomaticFailoverStatus"] = "enabled" if failover else "disabled"
    if multi_az is not None:
        plan.deferred["multi_az"] = "enabled" if multi_az else "disabled"


def _plan_engine(group: ReplicationGroupRecord, params: dict[str, Any], plan: Plan) -> None:
    engine = params.get("Engine") or group.engine
    if engine not in ("redis", "valkey"):
        raise invalid_value(f"Invalid engine for a replication group: {engine}.")
    if params.get("CacheNodeType"):
        plan.deferred["cache_node_type"] = params["CacheNodeType"]
    if not params.get("EngineVersion") and engine == group.engine:
        return
    version = naming.full_engine_version(engine, params.get("EngineVersion"))
    if engine == group.engine and naming.version_tuple(version) < naming.version_tuple(
        group.engine_version
    ):
        raise invalid_value(f"Engine version can't go down from {group.engine_version}.")
    plan.deferred.update(engine=engine, engine_version=version)


def apply_plan(store: ElastiCacheStore, group: ReplicationGroupRecord, plan: Plan) -> None:
    if plan.is_empty():
        return
    for attribute, value in plan.immediate.items():
        setattr(group, attribute, value)
    delay = store.settings.modify_delay_describes
    pending = PendingChange(delay, plan.deferred, plan.shown, plan.during, plan.token_change)
    if delay <= 0:
        finish_pending(group, pending)
        return
    group.status = "modifying"
    group.pending = pending


def finish_pending(group: ReplicationGroupRecord, pending: PendingChange) -> None:
    for attribute, value in pending.changes.items():
        setattr(group, attribute, value)
    if pending.token_change:
        group.auth_token_last_modified_date = utcnow()
    group.status = "available"
    group.pending = None


def tick_describe(group: ReplicationGroupRecord) -> None:
    """One describe call passes: the change lands once its describes are used up."""
    if group.pending is None:
        return
    if group.pending.describes_left <= 0:
        finish_pending(group, group.pending)
        return
    group.pending.describes_left -= 1
