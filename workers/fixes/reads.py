"""Reads a fix needs: a remediation session for the account, the resource as it is now, its status.

Writes live only in `workers.aws.apply` (fixes) and the rotation steps. Every session built
here is the remediation role's and is guarded: a call outside `posture.privileges` is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from posture.base import ResourceKind
from posture.privileges import remediation_calls
from posture.resources import CacheCluster, Inventory, ReplicationGroup, ServerlessCache, UserGroup
from workers.aws import collect_cache
from workers.aws.collect import collect_inventory
from workers.aws.context import RegionContext
from workers.aws.filters import ScanFilters
from workers.aws.scan import collect_one
from workers.aws.session import (
    AccountSession,
    CallCounter,
    CallGuard,
    account_of_role,
    assume_role_session,
    default_chain_session,
)
from workers.platform.config import AppConfig
from workers.platform.runtime import JobEnvironment
from workers.platform.telemetry import count

AVAILABLE = "available"


class UnreachableAccount(RuntimeError):
    """No configured role (and not the default chain's own account) reaches this account."""


def role_for_account(account: str, config: AppConfig) -> str | None:
    """The remediation role of `account`: an explicit role ARN, else the organization role.

    Never the audit role of [scan]: that one stays read-only.
    """
    for arn in config.remediation.role_arns:
        if account_of_role(arn) == account:
            return arn
    if config.remediation.organization_role:
        return f"arn:aws:iam::{account}:role/{config.remediation.organization_role}"
    return None


def account_session(
    account: str,
    config: AppConfig,
    endpoint_url: str | None,
    counter: CallCounter | None = None,
    on_call: Callable[[str, str], None] | None = None,
) -> AccountSession:
    """The remediation role's session in `account`, limited to the declared remediation calls."""
    base = default_chain_session(endpoint_url=endpoint_url, counter=counter)
    role = role_for_account(account, config)
    if role:
        session = assume_role_session(base, role, counter=counter)
    elif base.account_id == account:
        session = base
    else:
        raise UnreachableAccount(f"no [remediation] role is configured for account {account}")
    return replace(session, guard=CallGuard(remediation_calls(), on_call))


def remediation_session(env: JobEnvironment, account: str) -> AccountSession:
    """What fix and rotation jobs use: each call counted as `remediation_calls` in /metrics."""

    def record(service: str, operation: str) -> None:
        count(env.connection, "remediation_calls", service=service, operation=operation)

    return account_session(account, env.config, env.endpoint_url, on_call=record)


def _filters(kind: ResourceKind, resource_id: str) -> ScanFilters:
    if kind is ResourceKind.REPLICATION_GROUP:
        return ScanFilters(replication_group_id=resource_id)
    if kind is ResourceKind.CACHE_CLUSTER:
        return ScanFilters(cache_cluster_id=resource_id)
    return ScanFilters(serverless_cache_name=resource_id)


def _extra_user_groups(
    session: AccountSession, region: str, wanted: Sequence[str], inventory: Inventory
) -> tuple[UserGroup, ...]:
    """User groups a fix may attach that the narrowed read did not fetch (they are not attached yet)."""
    missing = [g for g in wanted if g not in {u.user_group_id for u in inventory.user_groups}]
    if not missing:
        return ()
    ctx = RegionContext(session, session.new_session(), region)
    return ctx.log.run_all(
        "DescribeUserGroups",
        ResourceKind.USER.value,
        lambda: collect_cache.user_groups(ctx, missing, narrowed=True),
    )


def read_for_fix(
    session: AccountSession,
    account: str,
    region: str,
    kind: ResourceKind,
    resource_id: str,
    *,
    now: datetime,
    user_groups: Sequence[str] = (),
) -> Inventory:
    """The resource and everything its rules read (security groups, subnets, users), as of now."""
    inventory = collect_inventory(
        session, account, region, _filters(kind, resource_id), now=now, include_account_facts=False
    )
    extra = _extra_user_groups(session, region, user_groups, inventory)
    if extra:
        inventory = inventory.model_copy(update={"user_groups": (*inventory.user_groups, *extra)})
    return inventory


def resource_status(
    session: AccountSession, account: str, region: str, kind: ResourceKind, resource_id: str
) -> str | None:
    """One describe call: `available`, `modifying`, ...; None when the resource is gone."""
    snapshot = collect_one(session, account, region, kind, resource_id)
    if snapshot is None:
        return None
    return status_of(snapshot)


def status_of(resource: object) -> str:
    if isinstance(resource, ReplicationGroup | ServerlessCache):
        return resource.status
    if isinstance(resource, CacheCluster):
        return resource.cache_cluster_status
    return AVAILABLE
