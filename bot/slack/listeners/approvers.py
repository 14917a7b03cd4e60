"""Slack says a user group changed: forget its cached members at once.

Without these events (an app whose manifest lacks them) membership is re-read after
`bot.slack.approvers.CACHE_SECONDS` at the latest.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack.approvers import forget_group
from bot.slack.deps import BotDeps


def handle_group_changed(event: dict[str, Any], deps: BotDeps) -> None:
    subteam = event.get("subteam") or {}
    group_id = str(event.get("subteam_id") or subteam.get("id") or "")
    if group_id in deps.config.bot.approver_groups:
        forget_group(deps.connection, group_id)


def register(app: App, deps: BotDeps) -> None:
    def on_group_changed(event: dict[str, Any]) -> None:
        handle_group_changed(event, deps)

    for name in ("subteam_members_changed", "subteam_updated"):
        app.event(name)(on_group_changed)
