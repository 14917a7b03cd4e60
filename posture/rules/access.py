"""Authentication and access checks: CW-201 to CW-205."""

from __future__ import annotations

from datetime import datetime, timedelta

from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache, User
from posture.rules.context import (
    RuleContext,
    Verdict,
    as_utc,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    attached_user_groups,
    describe,
    engine_name,
    group_members,
    missing_members_reason,
    supports_rbac,
)

NodeResource = ReplicationGroup | CacheCluster


def _unknown_version(resource: NodeResource | ServerlessCache, ctx: RuleContext) -> Verdict:
    reason = None
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
    return errored(reason or f"{describe(resource, ctx)} reports no engine version")


def auth_scope(resource: NodeResource | ServerlessCache, ctx: RuleContext) -> Verdict | bool:
    """Whether the resource can use RBAC, or the verdict when the engine decides it."""
    if engine_name(resource) == "memcached":
        return not_applicable(
            f"{describe(resource, ctx)}: Memcached has no AUTH token or RBAC users"
        )
    rbac = supports_rbac(resource, ctx)
    return _unknown_version(resource, ctx) if rbac is None else rbac


@check("CW-201")
def check_auth_token(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-201: Redis OSS before 6.0 has no users, so the AUTH token is its only password."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if scope:
        return not_applicable(
            f"{subject} supports RBAC (Redis OSS >= 6.0 or Valkey); CW-202 covers it"
        )
    if resource.auth_token_enabled:
        return passed(f"{subject} has an AUTH token")
    return failed(f"{subject} has no AUTH token: any client that reaches the port can connect")


def _group_verdict(subject: str, groups: tuple[str, ...], ctx: RuleContext) -> Verdict:
    allowed = ctx.policy.auth.allowed_user_groups
    outside = [group for group in groups if allowed and group not in allowed]
    if outside:
        return failed(
            f"{subject} uses RBAC user group {', '.join(outside)}, "
            f"which is not in the policy's allowed list ({', '.join(allowed)})"
        )
    return passed(f"{subject} authenticates through RBAC user group {', '.join(groups)}")


@check("CW-202")
def check_client_authentication(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-202: Redis OSS >= 6.0 and Valkey need an AUTH token or an RBAC user group."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if not scope:
        return not_applicable(f"{subject} predates RBAC (Redis OSS < 6.0); CW-201 covers it")
    if resource.auth_token_enabled:
        return passed(f"{subject} authenticates clients with an AUTH token")
    groups = attached_user_groups(resource, ctx) if isinstance(resource, ReplicationGroup) else ()
    if groups:
        return _group_verdict(subject, groups, ctx)
    return failed(f"{subject} has neither an AUTH token nor an RBAC user group")


def access_enabled(access_string: str | None) -> bool:
    """ACL rules apply in order, so the last of `on`/`off` decides."""
    switches = [word for word in (access_string or "").split() if word in ("on", "off")]
    return bool(switches) and switches[-1] == "on"


def is_open_user(user: User) -> bool:
    auth_type = user.authentication.type if user.authentication else None
    return auth_type == "no-password" and access_enabled(user.access_string)


@check("CW-203")
def check_no_open_user(resource: ReplicationGroup | ServerlessCache, ctx: RuleContext) -> Verdict:
    """CW-203: an enabled user without a password makes the group's other users moot."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if not scope:
        return not_applicable(f"{subject} predates RBAC (Redis OSS < 6.0), so it has no users")
    groups = attached_user_groups(resource, ctx)
    if not groups:
        return not_applicable(f"{subject} has no RBAC user group attached")
    members = group_members(groups, ctx)
    open_users = [
        f"{user.user_id} (user name {user.user_name or user.user_id}, "
        f"access '{user.access_string}')"
        for _group, user in members.users
        if is_open_user(user)
    ]
    if open_users:
        return failed(f"{subject} admits passwordless enabled user {'; '.join(open_users)}")
    if members.unknown:
        return errored(f"{subject}: {', '.join(members.unknown)} could not be read")
    return passed(f"{subject}: every enabled user in {', '.join(groups)} needs a password or IAM")


def _token_changed_at(resource: NodeResource) -> tuple[datetime | None, str]:
    """When the token last changed; a token never rotated dates from the resource's creation."""
    if resource.auth_token_last_modified_date:
        return resource.auth_token_last_modified_date, "last changed"
    if isinstance(resource, ReplicationGroup):
        created = resource.replication_group_create_time
    else:
        created = resource.cache_cluster_create_time
    return created, "never rotated since creation on"


@check("CW-204")
def check_token_age(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-204: a token older than the policy's maximum age is due for rotation."""
    subject = describe(resource, ctx)
    if engine_name(resource) == "memcached":
        return not_applicable(f"{subject}: Memcached has no AUTH token")
    if not resource.auth_token_enabled:
        return not_applicable(f"{subject} has no AUTH token to rotate")
    changed, wording = _token_changed_at(resource)
    if changed is None:
        # No date means no evidence of rotation; rotating through the bot records one.
        return failed(f"{subject} has an AUTH token of unknown age (no change date reported)")
    maximum = ctx.policy.auth.maximum_token_age_days
    age = ctx.now - as_utc(changed)
    stamp = f"{wording} {changed.date().isoformat()}, {age.days} days ago"
    if age > timedelta(days=maximum):
        return failed(f"{subject} has an AUTH token {stamp}; the policy allows {maximum} days")
    return passed(f"{subject} has an AUTH token {stamp}, within {maximum} days")


@check("CW-205")
def check_serverless_user_group(cache: ServerlessCache, ctx: RuleContext) -> Verdict:
    """CW-205: RBAC is the only access control a serverless cache has."""
    subject = describe(cache, ctx)
    if engine_name(cache) == "memcached":
        return not_applicable(f"{subject}: serverless Memcached has no RBAC user groups")
    if cache.user_group_id:
        return passed(f"{subject} has user group {cache.user_group_id}")
    return failed(f"{subject} has no user group: clients that reach it connect without credentials")
