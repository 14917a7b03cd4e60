"""One Bolt app factory for Socket Mode and HTTP mode; listeners are registered explicitly."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners import register
from bot.metrics import BotMetrics
from workers.config import AppConfig


@dataclass(frozen=True)
class BotDeps:
    """What listeners need; passed in, never imported from module state."""

    connection: redis.Redis
    config: AppConfig
    metrics: BotMetrics


def create_app(
    *, client: WebClient, signing_secret: str, deps: BotDeps, verify_token: bool = True
) -> App:
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=verify_token,
    )
    register(app, deps)
    return app
