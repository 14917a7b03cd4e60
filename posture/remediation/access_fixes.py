"""Fixes on who can connect: close the internet-wide ingress (CW-304), attach RBAC (CW-202)."""

from __future__ import annotations

from typing import Any

from posture.remediation.model import ApiCall, FixPlan, PlanKind
from posture.remediation.target import Target
from posture.resources import IpPermission, ReplicationGroup
from posture.rules.facts import cache_port, security_group_ids, supports_rbac
from posture.rules.ingress import WORLD, describe_permission

RBAC_DELETE_STRATEGY = "DELETE"


def world_part(permission: IpPermission) -> dict[str, Any] | None:
    """Only the 0.0.0.0/0 and ::/0 sources of a rule, shaped for RevokeSecurityGroupIngress."""
    v4 = [r.cidr_ip for r in permission.ip_ranges if r.cidr_ip in WORLD]
    v6 = [r.cidr_ipv6 for r in permission.ipv6_ranges if r.cidr_ipv6 in WORLD]
    if not v4 and not v6:
        return None
    spec: dict[str, Any] = {"IpProtocol": permission.ip_protocol}
    if permission.ip_protocol != "-1":
        if permission.from_port is not None:
            spec["FromPort"] = permission.from_port
        if permission.to_port is not None:
            spec["ToPort"] = permission.to_port
    if v4:
        spec["IpRanges"] = [{"CidrIp": cidr} for cidr in v4]
    if v6:
        spec["Ipv6Ranges"] = [{"CidrIpv6": cidr} for cidr in v6]
    return spec


def _wider_than_port(permission: IpPermission, port: int) -> bool:
    if permission.ip_protocol == "-1":
        return True
    return (permission.from_port, permission.to_port) != (port, port)


def _open_rules(
    target: Target, port: int
) -> tuple[dict[str, list[dict[str, Any]]], list[str], list[str]]:
    """World-open parts per group, their descriptions, and warnings about wide rules."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    described: list[str] = []
    wide: list[str] = []
    for group_id in security_group_ids(target.resource, target.ctx):
        group = target.ctx.security_groups_by_id[group_id]
        for permission in group.ip_permissions:
            spec = world_part(permission) if permission.covers_port(port) else None
            if spec is None:
                continue
            by_group.setdefault(group_id, []).append(spec)
            sources = [r["CidrIp"] for r in spec.get("IpRanges", [])]
            sources += [r["CidrIpv6"] for r in spec.get("Ipv6Ranges", [])]
            text = f"{group_id}: {describe_permission(permission)} from {', '.join(sources)}"
            described.append(text)
            if _wider_than_port(permission, port):
                wide.append(text)
    return by_group, described, wide


def plan_close_ingress(target: Target) -> FixPlan:
    """CW-304: revoke only the internet-wide sources on the cache port; every other rule stays."""
    missing = [
        g
        for g in security_group_ids(target.resource, target.ctx)
        if g not in target.ctx.security_groups_by_id
    ]
    if missing:
        return target.blocked(
            f"Security group {', '.join(missing)} could not be read, so no safe revoke can be built."
        )
    port = cache_port(target.resource, target.ctx)
    by_group, described, wide = _open_rules(target, port)
    state = {"port": port, "open": by_group}
    if not by_group:
        return target.blocked(
            f"No rule opens port {port} of {target.subject} to the internet any more.", state=state
        )
    calls = tuple(
        ApiCall(
            service="ec2",
            operation="RevokeSecurityGroupIngress",
            params={"GroupId": g, "IpPermissions": specs},
        )
        for g, specs in by_group.items()
    )
    undo = [
        ApiCall(service="ec2", operation="AuthorizeSecurityGroupIngress", params=call.params).cli(
            target.region
        )
        for call in calls
    ]
    risk = (
        "Clients that reach the cache from the internet lose access. A security group can be "
        "attached to other resources: they lose the same internet-wide rule."
    )
    if wide:
        risk += f" These rules reach beyond port {port} and close to the internet as a whole: {'; '.join(wide)}."
    return target.plan(
        PlanKind.IN_PLACE,
        f"Remove the internet-wide ingress on port {port} of {target.subject}: {'; '.join(described)}. "
        "Every other rule of these security groups stays, including other sources on the same port.",
        state=state,
        calls=calls,
        risk=risk,
        backout="Put the rules back: " + " ; ".join(f"`{cmd}`" for cmd in undo),
    )


def _rbac_preconditions(target: Target, group: ReplicationGroup, wanted: str) -> str | None:
    if supports_rbac(group, target.ctx) is not True:
        return f"{target.subject} does not support RBAC (Redis OSS 6.0+ or Valkey needed); set an AUTH token instead."
    if not group.transit_encryption_enabled:
        return f"RBAC user groups need in-transit encryption, which {target.subject} has off: request the CW-101 fix first."
    if not wanted:
        return (
            "No user group is configured to attach: name one in the policy, "
            '`[auth] allowed_user_groups = ["my-app-users"]`, then request this fix again.'
        )
    if wanted not in target.ctx.user_groups_by_id:
        return (
            f"User group {wanted} does not exist in {target.region}. Create it with the users your "
            f"clients log in as (`aws elasticache create-user-group --user-group-id {wanted} "
            f"--engine {target.engine} --user-ids default <app-user> --region {target.region}`), then request again."
        )
    return None


def plan_attach_user_group(target: Target) -> FixPlan:
    """CW-202: attach the policy's RBAC user group; an AUTH token is dropped with DELETE (AWS requires it)."""
    group = target.resource
    if not isinstance(group, ReplicationGroup):
        return target.blocked("Only replication groups take RBAC user groups in place.")
    allowed = target.policy.auth.allowed_user_groups
    wanted = allowed[0] if allowed else ""
    state = {
        "user_groups": list(group.user_group_ids),
        "auth": bool(group.auth_token_enabled),
        "tls": group.transit_encryption_enabled,
    }
    problem = _rbac_preconditions(target, group, wanted)
    if problem:
        return target.blocked(problem, state=state)
    params: dict[str, object] = {"UserGroupIdsToAdd": [wanted]}
    outside = [g for g in group.user_group_ids if g != wanted]
    if outside:
        params["UserGroupIdsToRemove"] = outside
    if group.auth_token_enabled:
        params["AuthTokenUpdateStrategy"] = RBAC_DELETE_STRATEGY
    members = target.ctx.user_groups_by_id[wanted].user_ids
    undo = target.modify(UserGroupIdsToRemove=[wanted])
    return target.plan(
        PlanKind.IN_PLACE,
        f"Attach RBAC user group {wanted} (users {', '.join(members) or 'none'}) to {target.subject}"
        + (f", replacing {', '.join(outside)}" if outside else "")
        + (
            "; the AUTH token is removed (AWS requires DELETE when moving to RBAC)."
            if group.auth_token_enabled
            else "."
        ),
        state=state,
        calls=(target.modify(**params),),
        risk=(
            f"Clients must then log in as a user of {wanted}; clients that connect without "
            "credentials, or with only the old AUTH token, are refused. If the group's `default` "
            "user has no password, it still admits anyone (see CW-203)."
        ),
        backout=f"Detach the group again: `{undo.cli(target.region)}`"
        + (
            " (the deleted AUTH token cannot come back; set a new one)."
            if group.auth_token_enabled
            else "."
        ),
    )
