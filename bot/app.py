"""One Bolt app factory for Socket Mode and HTTP mode; listeners are registered explicitly."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.listeners import register
from bot.slack_ids import check_slack_ids

__all__ = ["BotDeps", "create_app"]


def create_app(
    *, client: WebClient, signing_secret: str, deps: BotDeps, verify_token: bool = True
) -> App:
    check_slack_ids(deps.config.bot)  # this front end owns the Slack id formats
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=verify_token,
    )
    register(app, deps)
    return app
