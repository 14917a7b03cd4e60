"""Listener registration: each callback is a plain function; deps are bound here."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import BotDeps
from bot.slack.listeners import (
    actions,
    approvals,
    approvers,
    commands,
    deny,
    drift,
    finding_menu,
    home,
    rebuild,
    rebuild_inputs,
    risk,
    rotation,
    suggestions,
)


def register(app: App, deps: BotDeps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    finding_menu.register(app, deps)  # the "..." menu on finding lines
    approvals.register(app, deps)  # Approve / Deny on every kind of request
    risk.register(app, deps)  # the accept-risk modal's submission
    deny.register(app, deps)  # the Deny modal's submission (a reason)
    home.register(app, deps)
    rotation.register(app, deps)
    rebuild.register(app, deps)  # the rebuild card's Delete the old cache / Cancel rebuild
    rebuild_inputs.register(app, deps)  # Request rebuild… : the form for a key, subnets, port
    drift.register(app, deps)  # Apply anyway under a template change (the stack will drift)
    approvers.register(app, deps)  # approver groups changed: drop the cached members
    suggestions.register(app, deps)  # usage and scope answers' one-click fixes
