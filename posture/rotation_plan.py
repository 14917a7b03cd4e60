"""What a rotation will do, decided from snapshots before anything changes. Pure.

Whether a group can be rotated (and if not, why, in words that point at the fix), which
kind of rotation it gets, where its secrets live, and the texts an approver reads.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict

from posture.resources import CacheCluster, ReplicationGroup, User
from posture.rotation import CACHE_CLUSTER, REPLICATION_GROUP, RotationMode

ROTATABLE_ENGINES = ("redis", "valkey")
_TLS_FIX = (
    "AUTH only works with in-transit encryption, and this group has it off. Turn it on first "
    "(rule CW-101: `/cache-explain CW-101` shows the in-place fix, or use Request fix on the "
    "CW-101 finding of `/cache-audit`), then ask again."
)


def other_kind_reason(name: str, kind: str, engine: str, user_group_id: str | None) -> str:
    """The answer for a name that is a cache, but not a replication group (kind: "standalone
    cluster" or "serverless cache"): nothing to rotate, or not rotated yet, and why."""
    engine = engine.lower()
    if engine not in ROTATABLE_ENGINES:
        return (
            f"{name} is a Memcached {kind}: ElastiCache offers no AUTH token and no RBAC users "
            "for Memcached, so it has no password to rotate. Security groups and in-transit "
            "encryption are what protect it (rules CW-101, CW-304)."
        )
    if kind == "serverless cache" and not user_group_id:
        return (
            f"{name} is a serverless {engine} cache without a user group, so it has no password "
            "to rotate. Adding client authentication is rule CW-202 (`/cache-explain CW-202`)."
        )
    if kind == "serverless cache":
        return (
            f"{name} is a serverless {engine} cache with the user group {user_group_id}; its "
            "users' passwords rotate, but the name was found in more than one place. Name one "
            "with account= and region=."
        )
    return (
        f"{name} is a standalone {engine} cluster that could not be checked for rotation; "
        "name it with account= and region=."
    )


def refusal_reason(group: ReplicationGroup) -> str | None:
    """Why this group cannot be rotated now, or None when it can."""
    name = group.replication_group_id
    if group.engine not in ROTATABLE_ENGINES:
        return f"{name} runs {group.engine}; only Redis OSS and Valkey have AUTH tokens."
    if not group.transit_encryption_enabled:
        return f"{name} has no in-transit encryption. {_TLS_FIX}"
    if group.status != "available":
        return f"{name} is {group.status}; ask again once it is available."
    pending = group.pending_modified_values
    if pending is not None and pending.auth_token_status:
        return (
            f"{name} is already changing its AUTH token ({pending.auth_token_status}); "
            "ask again once that has finished."
        )
    if not group.auth_token_enabled and not group.user_group_ids:
        return (
            f"{name} has neither an AUTH token nor an RBAC user group, so there is nothing to "
            "rotate. Adding client authentication is rule CW-202 (`/cache-explain CW-202`)."
        )
    return None


def cluster_refusal_reason(cluster: CacheCluster, pending_token_status: str | None) -> str | None:
    """Why this standalone cluster's AUTH token cannot be rotated now, or None when it can.

    A standalone cluster has no user groups (RBAC needs a replication group), so its only
    secret is the AUTH token, which ModifyCacheCluster rotates like a group's.
    """
    name, engine = cluster.cache_cluster_id, cluster.engine.lower()
    if engine not in ROTATABLE_ENGINES:
        return f"{name} runs {cluster.engine}; only Redis OSS and Valkey have AUTH tokens."
    if not cluster.transit_encryption_enabled:
        return f"{name} has no in-transit encryption. {_TLS_FIX}"
    if cluster.cache_cluster_status != "available":
        return f"{name} is {cluster.cache_cluster_status}; ask again once it is available."
    if pending_token_status:
        return (
            f"{name} is already changing its AUTH token ({pending_token_status}); "
            "ask again once that has finished."
        )
    if not cluster.auth_token_enabled:
        return (
            f"{name} is a standalone cluster without an AUTH token, so there is nothing to "
            "rotate. Adding client authentication is rule CW-202 (`/cache-explain CW-202`)."
        )
    return None


def mode_for(group: ReplicationGroup) -> RotationMode:
    return RotationMode.AUTH_TOKEN if group.auth_token_enabled else RotationMode.RBAC_USERS


def group_secret_name(prefix: str, group_id: str) -> str:
    return f"{prefix}{group_id}"


def user_secret_name(prefix: str, user_id: str) -> str:
    # Users can belong to several groups, so their secret is named by user, not by group.
    return f"{prefix}users/{user_id}"


def secret_tags(
    account: str,
    region: str,
    group_id: str,
    user_id: str | None,
    kind: str = REPLICATION_GROUP,
) -> dict[str, str]:
    key = "cachewarden:cache-cluster" if kind == CACHE_CLUSTER else "cachewarden:replication-group"
    tags = {
        key: group_id,
        "cachewarden:account": account,
        "cachewarden:region": region,
    }
    if user_id:
        tags["cachewarden:user"] = user_id
    return tags


def secret_description(group_id: str, user_id: str | None, kind: str = REPLICATION_GROUP) -> str:
    if user_id:
        return f"RBAC password of ElastiCache user {user_id}, rotated by cachewarden."
    what = "cache cluster" if kind == CACHE_CLUSTER else "replication group"
    return f"AUTH token of ElastiCache {what} {group_id}, rotated by cachewarden."


class UserCheck(BaseModel):
    """One RBAC user of the group and whether its password can be rotated."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    rotatable: bool
    reason: str = ""


def check_user(user: User, secret_has_current: bool, secret_name: str) -> UserCheck:
    """A password user whose current password is in Secrets Manager can be rotated."""
    kind = user.authentication.type if user.authentication else None
    if kind != "password":
        return UserCheck(
            user_id=user.user_id, rotatable=False, reason=f"authenticates with {kind or 'nothing'}"
        )
    if not secret_has_current:
        return UserCheck(
            user_id=user.user_id,
            rotatable=False,
            reason=(
                f"its current password is not in Secrets Manager as {secret_name} (AWSCURRENT), "
                "so it could not keep working while clients move; store it there first"
            ),
        )
    return UserCheck(user_id=user.user_id, rotatable=True)


class ApprovalTexts(BaseModel):
    model_config = ConfigDict(frozen=True)

    change: str
    api_call: str
    risk: str
    backout: str


_HIDDEN = "<new token from Secrets Manager, never shown>"
_NOUN = {CACHE_CLUSTER: "cluster", REPLICATION_GROUP: "group"}


def _call(operation: str, **params: object) -> str:
    """The same shape as a fix's exact call (`ApiCall.describe`), so approvers read one style."""
    return f"elasticache:{operation} {json.dumps(params, sort_keys=True)}"


def token_call(kind: str, target_id: str, strategy: str) -> str:
    """The AUTH token call for the target: the same parameters on a group or a standalone
    cluster (ModifyCacheCluster also takes AuthToken and AuthTokenUpdateStrategy:
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyCacheCluster.html,
    https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html)."""
    operation, id_key = (
        ("ModifyCacheCluster", "CacheClusterId")
        if kind == CACHE_CLUSTER
        else ("ModifyReplicationGroup", "ReplicationGroupId")
    )
    return _call(
        operation,
        **{id_key: target_id},
        AuthToken=_HIDDEN,
        AuthTokenUpdateStrategy=strategy,
        ApplyImmediately=True,
    )


def rotate_texts(
    mode: RotationMode, group_id: str, secret_names: list[str], kind: str = REPLICATION_GROUP
) -> ApprovalTexts:
    names = ", ".join(secret_names)
    if mode is RotationMode.AUTH_TOKEN:
        return ApprovalTexts(
            change=(
                f"Generate a new AUTH token, store it in Secrets Manager ({names}, staged "
                f"AWSPENDING), then add it to {group_id} with ROTATE. The current token keeps "
                "working; nothing is removed until a separately approved Finalize."
            ),
            api_call=token_call(kind, group_id, "ROTATE"),
            risk=f"Low: the {_NOUN.get(kind, 'group')} is briefly `modifying`; both tokens are "
            "accepted afterwards.",
            backout="Cancel in the thread rotates the previous token back in and SETs it.",
        )
    return ApprovalTexts(
        change=(
            f"Generate a new password for each RBAC user of {group_id}, store each in Secrets "
            f"Manager ({names}, staged AWSPENDING), then give each user both passwords."
        ),
        api_call=_call(
            "ModifyUser",
            UserId="<each user>",
            Passwords=["<current>", "<new password from Secrets Manager, never shown>"],
        ),
        risk="Low: every user keeps its current password until Finalize.",
        backout="Cancel in the thread gives each user back only its current password.",
    )


def finalize_texts(
    mode: RotationMode, group_id: str, kind: str = REPLICATION_GROUP
) -> ApprovalTexts:
    if mode is RotationMode.AUTH_TOKEN:
        return ApprovalTexts(
            change=(
                f"Keep only the new AUTH token on {group_id} (SET), then promote the secret's "
                "pending version to AWSCURRENT (the old token becomes AWSPREVIOUS)."
            ),
            api_call=token_call(kind, group_id, "SET"),
            risk="Clients still using the old token fail once SET lands. Move them first.",
            backout="None once SET lands: rotate again to replace the token.",
        )
    return ApprovalTexts(
        change=(
            f"Leave each RBAC user of {group_id} with only its new password, then promote each "
            "secret's pending version to AWSCURRENT."
        ),
        api_call=_call(
            "ModifyUser",
            UserId="<each user>",
            Passwords=["<new password from Secrets Manager, never shown>"],
        ),
        risk="Clients still using an old password fail at once. Move them first.",
        backout="None once applied: rotate again to replace the passwords.",
    )
