"""`cachewarden serve --teams`: the aiohttp web process that Teams posts activities to."""

from __future__ import annotations

import logging
import sys

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process

from bot.teams.agent import build_agent, connection_manager
from bot.teams.credentials import token_source
from bot.teams.inbound_auth import (
    MESSAGES_PATH,
    BotConnectorAuth,
    InboundAuthConfig,
    auth_middleware,
)
from bot.teams.references import ConversationStore
from bot.teams.settings import TeamsSettings, TeamsSettingsError, load_teams_settings
from workers.platform.redis_connection import connect
from workers.platform.telemetry import configure_logging

log = logging.getLogger(__name__)


def build_web_app(settings: TeamsSettings, store: ConversationStore) -> web.Application:
    source = token_source(settings)
    conn = connection_manager(
        source, app_id=settings.app_id, tenant_id=settings.tenant_id, anonymous=settings.anonymous
    )
    adapter = CloudAdapter(connection_manager=conn)
    agent = build_agent(store, conn)
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
    connection = connect(settings.redis_url.get_secret_value(), ca_file=settings.redis_ca_file)
    app = build_web_app(settings, ConversationStore(connection))
    log.info("teams listening", extra={"port": port})
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0
