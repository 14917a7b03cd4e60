"""One Bolt app factory for Socket Mode and HTTP mode; listeners are registered explicitly."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.deps import BotDeps
from bot.slack.ids import check_slack_ids
from bot.slack.listeners import register

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
    quiet_request_verification()
    register(app, deps)
    return app


def quiet_request_verification() -> None:
    """Bolt's RequestVerification logs a refused request's whole body at INFO: never let it.

    The web gate (bot.slack.web_guard) refuses unsigned and stale requests before Bolt sees them
    and logs only a reason; this covers whatever else reaches Bolt's own check. Bolt sets
    the logger's level when the App is built, so this runs after.
    """
    logger = logging.getLogger("slack_bolt.RequestVerification")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _NoBodies) for f in logger.filters):
        logger.addFilter(_NoBodies())


class _NoBodies(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = "invalid request signature (body not logged)", None
        return True
