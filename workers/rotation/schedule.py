"""Scheduled rotation: once a day, ask for the rotation of every credential past its age.

For each account and region the bot knows, a replication group's AUTH token secret and
the password secrets of the users in its (or a serverless cache's) user group are aged by
the creation date of their AWSCURRENT version (`ListSecretVersionIds`). A group or cache
holding one older than `[rotation] max_age_days` gets the same ROTATE request a person
would get from /cache-rotate-token, with the bot as the requester, so any approver may
approve it. Idempotent: one request per group a day (a Redis mark), and never while a
rotation of the group is open (the rotation store's claim, checked by `open_rotation`).
Secret values are never read here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from posture.conversations import ConversationRef
from posture.rotation_plan import ROTATABLE_ENGINES, group_secret_name, user_secret_name
from workers.aws.errors import AWS_FAILURES, error_code
from workers.aws.secrets import CURRENT
from workers.aws.session import AccountSession
from workers.platform.runtime import JobEnvironment, environment
from workers.platform.telemetry import new_correlation_id
from workers.rotation.check_jobs import (
    DEFAULT_REGION,
    Refused,
    candidate_sessions,
    open_rotation,
    plan_rotation,
)
from workers.rotation.store import RotationIntake
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)
BOT = "cachewarden"  # the requester of scheduled rotations: any approver may approve
MARK_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class Holder:
    """A cache that holds credentials: its name and the secrets that keep them."""

    name: str
    secrets: tuple[str, ...]


def secret_age_days(client: Any, name: str, now: datetime) -> float | None:
    """Days since the secret's AWSCURRENT version was created; None when there is none."""
    try:
        answer = client.list_secret_version_ids(SecretId=name)
    except AWS_FAILURES as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    for version in answer.get("Versions") or []:
        if CURRENT in (version.get("VersionStages") or []) and version.get("CreatedDate"):
            return float((now - version["CreatedDate"]).total_seconds() / 86400)
    return None


def _password_users(client: Any, user_group_ids: list[str]) -> list[str]:
    users = []
    for group_id in user_group_ids:
        with_group = client.describe_user_groups(UserGroupId=group_id).get("UserGroups") or []
        for user_id in with_group[0].get("UserIds", []) if with_group else []:
            found = client.describe_users(UserId=user_id).get("Users") or []
            if found and (found[0].get("Authentication") or {}).get("Type") == "password":
                users.append(user_id)
    return users


def holders(client: Any, prefix: str) -> Iterator[Holder]:
    """Replication groups and serverless caches of one region, with their secrets' names."""
    for page in client.get_paginator("describe_replication_groups").paginate():
        for group in page.get("ReplicationGroups") or []:
            name = group["ReplicationGroupId"]
            if str(group.get("Engine", "redis")).lower() not in ROTATABLE_ENGINES:
                continue
            secrets = [group_secret_name(prefix, name)] if group.get("AuthTokenEnabled") else []
            users = _password_users(client, list(group.get("UserGroupIds") or []))
            secrets += [user_secret_name(prefix, user) for user in users]
            if secrets:
                yield Holder(name, tuple(secrets))
    token: dict[str, str] = {}
    while True:
        page = client.describe_serverless_caches(**token)
        for cache in page.get("ServerlessCaches") or []:
            engine, group = str(cache.get("Engine", "")).lower(), cache.get("UserGroupId")
            if engine in ROTATABLE_ENGINES and group:
                users = _password_users(client, [group])
                names = tuple(user_secret_name(prefix, user) for user in users)
                if names:
                    yield Holder(cache["ServerlessCacheName"], names)
        if not page.get("NextToken"):
            return
        token = {"NextToken": page["NextToken"]}


def _due(
    env: JobEnvironment, session: AccountSession, region: str, max_age: int
) -> list[tuple[Holder, float]]:
    boto, now = session.new_session(), env.clock()
    elasticache = session.client(boto, "elasticache", region)
    secrets = session.client(boto, "secretsmanager", region)
    prefix, due = env.config.policy.auth.secret_name_prefix, []
    for holder in holders(elasticache, prefix):
        ages = [secret_age_days(secrets, name, now) for name in holder.secrets]
        oldest = max((age for age in ages if age is not None), default=None)
        if oldest is not None and oldest > max_age:
            due.append((holder, oldest))
    return due


def _ask(env: JobEnvironment, where: ConversationRef, account: str, region: str, name: str) -> str:
    """Open the ROTATE request for one cache; '' when opened, else why not."""
    day = env.clock().strftime("%Y%m%d")
    mark = f"cw:rotation:scheduled:{account}:{region}:{name}:{day}"
    if not env.connection.set(mark, "1", nx=True, ex=MARK_SECONDS):
        return "already asked today"
    intake = RotationIntake(
        ticket_id=uuid.uuid4().hex[:16], group_id=name, region=region, account=account,
        requester=BOT, origin=where, correlation_id=new_correlation_id(),
        created_at=env.clock(),
    )  # fmt: skip
    try:
        rotation, request = plan_rotation(env, intake)
        open_rotation(env, rotation, request)
    except Refused as refusal:
        return str(refusal)
    return ""


def request_due_rotations() -> dict[str, int]:
    """The daily job: a rotation request for every cache with a credential past its age."""
    env = environment()
    policy = env.config.policy.rotation
    channel = policy.channel or env.config.bot.security_channel
    if policy.max_age_days <= 0 or not channel:
        return {"asked": 0, "skipped": 0}
    # Configured channels are ids on the process's default front end (the security channel is).
    where = ConversationRef(platform=env.default_platform, channel=channel)
    regions = list(env.config.scan.regions) or [DEFAULT_REGION]
    audit, asked, skipped = AuditLog(env.connection), 0, 0
    for session in candidate_sessions(env, None):
        for region in regions:
            try:
                due = _due(env, session, region, policy.max_age_days)
            except AWS_FAILURES as exc:
                log.warning("scheduled rotation: region not read", extra={"error": str(exc)})
                continue
            for holder, age in due:
                why_not = _ask(env, where, session.account_id, region, holder.name)
                event = "rotation.scheduled" if not why_not else "rotation.scheduled_skipped"
                audit.append(
                    event, actor=BOT, account=session.account_id, region=region,
                    target=holder.name, age_days=f"{age:.0f}", reason=why_not[:300],
                )  # fmt: skip
                asked, skipped = (asked + 1, skipped) if not why_not else (asked, skipped + 1)
    return {"asked": asked, "skipped": skipped}
