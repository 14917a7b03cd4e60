"""What listeners need; passed in, never imported from module state.

It lives apart from `bot.slack.app` so the listeners do not import the app factory that
imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from bot.metrics import BotMetrics
from workers.platform.config import AppConfig


@dataclass(frozen=True)
class BotDeps:
    connection: redis.Redis
    config: AppConfig
    metrics: BotMetrics
