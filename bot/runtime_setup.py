"""Builds the long-lived objects every process needs from the environment. Entry points only."""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from slack_sdk import WebClient

from bot.metrics import BotMetrics
from bot.settings import Settings, load_settings
from bot.slack.alert_notifier import SlackAlertNotifier
from bot.slack.app import BotDeps, create_app
from bot.slack.notifier import make_web_client
from bot.teams.runtime import teams_notifier
from posture.conversations import Platform
from workers.platform.config import AppConfig, load_config
from workers.platform.enqueue import QUEUES
from workers.platform.notifier import Notifier
from workers.platform.redis_connection import connect
from workers.platform.runtime import JobEnvironment
from workers.platform.telemetry import configure_logging


@dataclass(frozen=True)
class Process:
    settings: Settings
    config: AppConfig
    connection: redis.Redis
    client: WebClient


def boot(*, need_app_token: bool = False) -> Process:
    """Read settings and config, open Redis, configure logs; raises SettingsError/ConfigError."""
    settings = load_settings(need_app_token=need_app_token)
    configure_logging(settings.log_level)
    config = load_config(settings.cachewarden_config)
    connection = connect(settings.redis_url.get_secret_value(), ca_file=settings.redis_ca_file)
    client = make_web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    return Process(settings=settings, config=config, connection=connection, client=client)


def bot_app(process: Process):  # type: ignore[no-untyped-def]
    metrics = BotMetrics(process.connection, QUEUES)
    deps = BotDeps(connection=process.connection, config=process.config, metrics=metrics)
    app = create_app(
        client=process.client,
        signing_secret=process.settings.slack_signing_secret.get_secret_value(),
        deps=deps,
    )
    return app, metrics


DEFAULT_PLATFORM = Platform.SLACK  # env.notifier: the front end every process has


def notifiers(process: Process) -> dict[Platform, Notifier]:
    """The one place that picks each front end's notifier: Slack always, Teams when configured
    (bot.teams.runtime says when; a half-configured Teams raises TeamsSettingsError)."""
    by_platform: dict[Platform, Notifier] = {
        Platform.SLACK: SlackAlertNotifier(
            process.client,
            process.connection,
            approver_users=process.config.bot.approver_users,
            approver_groups=process.config.bot.approver_groups,
        )
    }
    teams = teams_notifier(process.connection)
    if teams is not None:
        by_platform[Platform.TEAMS] = teams
    return by_platform


def job_environment(process: Process) -> JobEnvironment:
    by_platform = notifiers(process)
    return JobEnvironment(
        connection=process.connection,
        # every job picks the front end from the platform stored with its request
        notifier=by_platform[DEFAULT_PLATFORM],
        config=process.config,
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        default_platform=DEFAULT_PLATFORM,
        other_notifiers={p: n for p, n in by_platform.items() if p is not DEFAULT_PLATFORM},
    )
