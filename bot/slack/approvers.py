"""Who may decide approval requests, for the Slack front end: configured user ids plus
members of configured Slack user groups (`workers.platform.context.ApproverDirectory`).

Group members come from Slack (`usergroups.users.list`) and are cached in Redis for
`CACHE_SECONDS`, so a burst of clicks costs one Slack call per group. That is the bound
on staleness: someone removed from a group can still decide for at most `CACHE_SECONDS`
(and someone added waits as long). A group Slack will not list adds nobody: the check
fails closed.
"""

from __future__ import annotations

import json
import logging

import redis
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from posture.approvals import Approvers
from workers.platform.config import BotConfig

log = logging.getLogger(__name__)
CACHE_SECONDS = 60


def _key(group_id: str) -> str:
    return f"cw:approvers:{group_id}"


def group_members(client: WebClient, connection: redis.Redis, group_id: str) -> frozenset[str]:
    cached = connection.get(_key(group_id))
    if cached:
        return frozenset(json.loads(cached))
    try:
        users = [
            str(u) for u in client.usergroups_users_list(usergroup=group_id).get("users") or []
        ]
    except SlackApiError as exc:
        log.warning(
            "user group not listed",
            extra={"usergroup": group_id, "slack_error": exc.response.get("error")},
        )
        return frozenset()
    connection.set(_key(group_id), json.dumps(users), ex=CACHE_SECONDS)
    return frozenset(users)


def forget_group(connection: redis.Redis, group_id: str) -> None:
    """Drop a cached membership at once (Slack said the group changed)."""
    connection.delete(_key(group_id))


def resolve_approvers(client: WebClient, connection: redis.Redis, bot: BotConfig) -> Approvers:
    members: set[str] = set()
    for group_id in bot.approver_groups:
        members |= group_members(client, connection, group_id)
    return Approvers(users=frozenset(bot.approver_users), group_members=frozenset(members))


class SlackApproverDirectory:
    """`ApproverDirectory` over Slack user groups; resolves once per flow call."""

    def __init__(self, client: WebClient, connection: redis.Redis, bot: BotConfig) -> None:
        self._client, self._connection, self._bot = client, connection, bot
        self._resolved: Approvers | None = None

    def approvers(self) -> Approvers:
        if self._resolved is None:
            self._resolved = resolve_approvers(self._client, self._connection, self._bot)
        return self._resolved
