"""`cachewarden serve --teams`: the aiohttp web process that Teams posts activities to."""

from __future__ import annotations

import logging
import sys

import redis
from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process

from bot.teams.agent import build_agent, connection_manager
from bot.teams.approvers import GRAPH_SCOPE, GraphGroupFetcher, GroupFetcher, static_fetcher
from bot.teams.connector import ConnectorClient
from bot.teams.context import TeamsDeps, installed_tenant
from bot.teams.credentials import MsalTokenSource, token_source
from bot.teams.inbound_auth import (
    MESSAGES_PATH,
    BotConnectorAuth,
    InboundAuthConfig,
    auth_middleware,
)
from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationStore
from bot.teams.settings import TeamsSettings, TeamsSettingsError, load_teams_settings
from posture.conversations import Platform
from workers.platform.config import AppConfig, ConfigError, load_config
from workers.platform.notifier import Notifiers
from workers.platform.redis_connection import connect
from workers.platform.telemetry import configure_logging

log = logging.getLogger(__name__)


def group_fetcher(settings: TeamsSettings, config: AppConfig) -> GroupFetcher:
    """Microsoft Graph in production; in anonymous (local) mode there is no Graph token, so
    approver groups resolve to nobody and only `[teams] approver_users` can decide."""
    if settings.anonymous:
        if config.teams.approver_groups:
            log.warning("anonymous mode: Entra approver groups are not resolved")
        return static_fetcher({})
    return GraphGroupFetcher(
        MsalTokenSource(settings.model_copy(update={"token_scope": GRAPH_SCOPE}))
    )


def teams_deps(
    settings: TeamsSettings, store: ConversationStore, connection: redis.Redis, config: AppConfig
) -> TeamsDeps:
    notifier = TeamsNotifier(ConnectorClient(token_source(settings)), store, connection)
    return TeamsDeps(
        connection=connection,
        config=config,
        notifiers=Notifiers({Platform.TEAMS: notifier}),
        fetch_group=group_fetcher(settings, config),
        workspace=installed_tenant(settings.tenant_id),
    )


def build_web_app(
    settings: TeamsSettings, store: ConversationStore, deps: TeamsDeps
) -> web.Application:
    source = token_source(settings)
    conn = connection_manager(
        source, app_id=settings.app_id, tenant_id=settings.tenant_id, anonymous=settings.anonymous
    )
    adapter = CloudAdapter(connection_manager=conn)
    agent = build_agent(store, conn, deps)
    config = InboundAuthConfig(
        app_id=settings.app_id,
        openid_metadata_url=settings.openid_metadata_url,
        issuers=settings.issuers,
        anonymous=settings.anonymous,
    )
    app = web.Application(middlewares=[auth_middleware(BotConnectorAuth(config), config)])

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        return response if response is not None else web.Response(status=202)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_post(MESSAGES_PATH, messages)
    app.router.add_get("/healthz", health)
    return app


def run_teams(port: int, host: str) -> int:
    try:
        settings = load_teams_settings()
    except TeamsSettingsError as exc:
        print(f"cachewarden: cannot start: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if settings.anonymous:
        log.warning("Teams anonymous mode: inbound tokens are not required (local use only)")
    try:
        config = load_config(settings.cachewarden_config)
    except ConfigError as exc:
        print(f"cachewarden: cannot start: {exc}", file=sys.stderr)
        return 2
    connection = connect(settings.redis_url.get_secret_value(), ca_file=settings.redis_ca_file)
    store = ConversationStore(connection)
    app = build_web_app(settings, store, teams_deps(settings, store, connection, config))
    log.info("teams listening", extra={"port": port})
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0
