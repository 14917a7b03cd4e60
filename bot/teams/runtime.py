"""The Teams notifier for a worker or bot process, when Teams is configured at all.

Teams counts as configured when `CACHEWARDEN_TEAMS_APP_ID` (production) or
`CACHEWARDEN_TEAMS_ANONYMOUS=true` (local use) is set; a half-configured environment is an
error that names the missing variable, never a silent Slack-only process.
"""

from __future__ import annotations

import os

import redis

from bot.teams.connector import ConnectorClient
from bot.teams.credentials import token_source
from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationStore
from bot.teams.settings import load_teams_settings

CONFIGURED_BY = ("CACHEWARDEN_TEAMS_APP_ID", "CACHEWARDEN_TEAMS_ANONYMOUS")


def teams_configured(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return any(
        (env.get(name) or "").strip().lower() not in ("", "false", "0") for name in CONFIGURED_BY
    )


def teams_notifier(connection: redis.Redis) -> TeamsNotifier | None:
    """None when Teams is not configured; raises TeamsSettingsError when it is, but badly."""
    if not teams_configured():
        return None
    settings = load_teams_settings()
    client = ConnectorClient(token_source(settings))
    return TeamsNotifier(client, ConversationStore(connection), connection)
