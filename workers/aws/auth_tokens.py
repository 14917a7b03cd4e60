"""The ElastiCache calls of a token rotation: read the group or users, and the write calls.

The write calls take the credential as an argument and return nothing; an AWS refusal
comes back as `TokenCallError`, rebuilt from the error code and a redacted message so no
exception chain can carry the credential into a log, a job result or a chat message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from posture.resources import CacheCluster, ReplicationGroup, User, UserGroup
from posture.rotation import CACHE_CLUSTER, GroupView
from workers.aws.errors import AWS_FAILURES, error_code, is_not_found
from workers.aws.errors import redact as redact_aws
from workers.platform.telemetry import redact


class TokenCallError(RuntimeError):
    """ElastiCache refused or failed a call; `code` is the AWS error code."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed ({code}): {message}")
        self.operation = operation
        self.code = code
        self.message = message


def _safe(operation: str, exc: BaseException) -> TokenCallError:
    if isinstance(exc, ClientError):
        message = str(exc.response.get("Error", {}).get("Message") or "")
    else:
        message = type(exc).__name__  # botocore's own texts can quote request parameters
    return TokenCallError(operation, error_code(exc), redact(redact_aws(message)))


def describe_group(client: Any, group_id: str) -> ReplicationGroup | None:
    try:
        found = client.describe_replication_groups(ReplicationGroupId=group_id)
    except AWS_FAILURES as exc:
        if is_not_found(exc):
            return None
        raise _safe("DescribeReplicationGroups", exc) from None
    groups = found.get("ReplicationGroups") or []
    return ReplicationGroup.model_validate(groups[0]) if groups else None


def group_view(group: ReplicationGroup) -> GroupView:
    pending = group.pending_modified_values
    return GroupView(
        status=group.status,
        auth_token_status=pending.auth_token_status if pending else None,
        token_date=group.auth_token_last_modified_date,
    )


def describe_cluster(client: Any, cluster_id: str) -> tuple[CacheCluster, GroupView] | None:
    """A standalone cluster and what a rotation watches on it (None: gone, or not standalone)."""
    try:
        found = client.describe_cache_clusters(CacheClusterId=cluster_id)
    except AWS_FAILURES as exc:
        if is_not_found(exc):
            return None
        raise _safe("DescribeCacheClusters", exc) from None
    raw = (found.get("CacheClusters") or [None])[0]
    if not raw or raw.get("ReplicationGroupId"):
        return None
    cluster = CacheCluster.model_validate(raw)
    pending = raw.get("PendingModifiedValues") or {}
    view = GroupView(
        status=cluster.cache_cluster_status,
        auth_token_status=pending.get("AuthTokenStatus"),
        token_date=cluster.auth_token_last_modified_date,
    )
    return cluster, view


def target_view(client: Any, kind: str, target_id: str) -> GroupView | None:
    """The watched fields of the rotation's target: a standalone cluster or a group."""
    if kind == CACHE_CLUSTER:
        found = describe_cluster(client, target_id)
        return found[1] if found else None
    group = describe_group(client, target_id)
    return group_view(group) if group else None


def token_operation(kind: str) -> str:
    return "ModifyCacheCluster" if kind == CACHE_CLUSTER else "ModifyReplicationGroup"


def send_auth_token(
    client: Any, group_id: str, token: str, strategy: str, kind: str = "replication_group"
) -> None:
    """ROTATE or SET, applied immediately, as AWS asks: strategy always beside the token.

    A standalone cluster takes the same three parameters on ModifyCacheCluster, with the
    same two-token window during ROTATE:
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyCacheCluster.html
    https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html
    """
    operation = token_operation(kind)
    try:
        if kind == CACHE_CLUSTER:
            client.modify_cache_cluster(
                CacheClusterId=group_id,
                AuthToken=token,
                AuthTokenUpdateStrategy=strategy,
                ApplyImmediately=True,
            )
        else:
            client.modify_replication_group(
                ReplicationGroupId=group_id,
                AuthToken=token,
                AuthTokenUpdateStrategy=strategy,
                ApplyImmediately=True,
            )
    except Exception as exc:  # any failure: rebuilt below without the credential
        raise _safe(operation, exc) from None


def describe_user_group(client: Any, user_group_id: str) -> UserGroup | None:
    try:
        found = client.describe_user_groups(UserGroupId=user_group_id)
    except AWS_FAILURES as exc:
        if is_not_found(exc):
            return None
        raise _safe("DescribeUserGroups", exc) from None
    groups = found.get("UserGroups") or []
    return UserGroup.model_validate(groups[0]) if groups else None


def describe_user(client: Any, user_id: str) -> User | None:
    try:
        found = client.describe_users(UserId=user_id)
    except AWS_FAILURES as exc:
        if is_not_found(exc):
            return None
        raise _safe("DescribeUsers", exc) from None
    users = found.get("Users") or []
    return User.model_validate(users[0]) if users else None


def set_user_passwords(client: Any, user_id: str, passwords: Sequence[str]) -> None:
    """Replace the user's passwords with exactly these (AWS allows two)."""
    try:
        client.modify_user(UserId=user_id, Passwords=list(passwords))
    except Exception as exc:  # any failure: rebuilt below without the credential
        raise _safe("ModifyUser", exc) from None
