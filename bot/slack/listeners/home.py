"""App Home: answer `app_home_opened` by publishing the user's tab with views.publish.

The page comes from `workers.home.flows.home_page`, rebuilt from Redis on every open;
publishing twice is harmless, so a retried event needs no de-duplication.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.deps import BotDeps
from bot.slack.listeners.slack_input import flow_context, installed_workspace
from bot.slack.render.slack_home import render_home
from posture.conversations import Actor, Platform
from workers.home.flows import home_page

log = logging.getLogger(__name__)


def publish_home(
    client: WebClient,
    user: str,
    deps: BotDeps,
    context: BoltContext | None = None,
    *,
    notice: str = "",
) -> None:
    """Rebuild and publish the user's page; `notice` answers their last click on it."""
    # Events carry no clicker workspace of their own: they come for the installed one.
    actor = Actor(platform=Platform.SLACK, workspace=installed_workspace(context), user=user)
    page = home_page(flow_context(client, deps, context), actor)
    if page is not None:
        client.views_publish(
            user_id=user, view=render_home(page.model_copy(update={"notice": notice}))
        )


def handle_home_opened(
    event: dict[str, Any], client: WebClient, deps: BotDeps, context: BoltContext | None = None
) -> None:
    user = str(event.get("user", ""))
    if event.get("tab", "home") != "home" or not user:
        return
    try:
        publish_home(client, user, deps, context)
    except (redis.RedisError, SlackApiError):
        log.exception("could not publish the home tab", extra={"user": user})


def register(app: App, deps: BotDeps) -> None:
    def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_home_opened(event, client, deps, context)

    app.event("app_home_opened")(on_home_opened)
