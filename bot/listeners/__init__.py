"""Listener registration: each callback is a plain function; deps are bound here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners import actions, approvals, commands, home, risk, rotation, suggestions

if TYPE_CHECKING:
    from bot.app import BotDeps


def register(app: App, deps: BotDeps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    approvals.register(app, deps)  # Approve / Deny on every kind of request
    risk.register(app, deps)  # the accept-risk modal's submission
    home.register(app, deps)
    rotation.register(app, deps)
    suggestions.register(app, deps)  # usage and scope answers' one-click fixes
