"""Who may decide approval requests: configured user ids plus members of configured user groups.

Group members come from Slack (`usergroups.users.list`) and are cached in Redis for a
minute, so a burst of clicks costs one Slack call per group. A group Slack will not list
adds nobody: the check fails closed.
"""

from __future__ import annotations

import json
import logging

import redis
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from posture.approvals import Approvers
from workers.config import BotConfig

log = logging.getLogger(__name__)
CACHE_SECONDS = 60


def group_members(client: WebClient, connection: redis.Redis, group_id: str) -> frozenset[str]:
    key = f"cw:approvers:{group_id}"
    cached = connection.get(key)
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
    connection.set(key, json.dumps(users), ex=CACHE_SECONDS)
    return frozenset(users)


def resolve_approvers(client: WebClient, connection: redis.Redis, bot: BotConfig) -> Approvers:
    members: set[str] = set()
    for group_id in bot.approver_groups:
        members |= group_members(client, connection, group_id)
    return Approvers(users=frozenset(bot.approver_users), group_members=frozenset(members))
