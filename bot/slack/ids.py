"""Slack's id formats, checked by the Slack front end (the core accepts any chat id).

Ids that belong to another front end (Entra object ids, Teams conversation ids) are left
for that front end; anything else that is not a Slack id is a configuration mistake.
"""

from __future__ import annotations

import re

from workers.platform.config import BotConfig, ConfigError

SLACK_ID = re.compile(r"^[A-Z][A-Z0-9_]{1,30}$")
ENTRA_ID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
TEAMS_CONVERSATION = re.compile(r"^(19|a|29):\S+$")


def is_slack_id(value: str) -> bool:
    return bool(SLACK_ID.match(value))


def belongs_elsewhere(value: str) -> bool:
    return bool(ENTRA_ID.match(value) or TEAMS_CONVERSATION.match(value))


def check_slack_ids(bot: BotConfig) -> None:
    """Raise ConfigError naming every [bot] id that is neither Slack's nor another platform's."""
    problems = [
        f"bot.{field}: {value!r} is not a Slack id (like C0123ABC or U0123ABC)"
        for field in ("allowed_channels", "approver_users", "approver_groups")
        for value in getattr(bot, field)
        if not is_slack_id(value) and not belongs_elsewhere(value)
    ]
    channel = bot.security_channel
    if channel and not is_slack_id(channel) and not belongs_elsewhere(channel):
        problems.append(f"bot.security_channel: {bot.security_channel!r} is not a Slack channel id")
    if problems:
        raise ConfigError("; ".join(problems))
