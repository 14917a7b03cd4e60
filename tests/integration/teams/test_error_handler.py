"""A failing turn answers with a reference, never with the exception text (trap T2)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest
import redis
from aiohttp import web

from bot.teams.references import ConversationStore
from bot.teams.server import build_web_app
from bot.teams.settings import TeamsSettings
from sandbox.redis_server import free_port, wait_for_port
from sandbox.teams_connector.client import TeamsClient
from tests.integration.teams.conftest import TeamsStack, wait_for
from tests.unit.teams.card_checks import all_text

pytestmark = pytest.mark.integration
SECRET_DETAIL = "redis://:hunter2@cache.internal:6379 exploded"


@pytest.fixture
def failing_bot(teams: TeamsStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[TeamsClient]:
    for name, value in teams.emulator.bot_environment().items():
        monkeypatch.setenv(name, value)

    def explode(*_: object) -> None:
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr("bot.teams.agent.answer", explode)
    app = build_web_app(TeamsSettings(), ConversationStore(redis.Redis.from_url(teams.redis.url)))
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)

    def serve() -> None:
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    wait_for_port(port)
    try:
        yield TeamsClient(
            f"http://127.0.0.1:{port}",
            teams.emulator.service_url,
            teams.emulator.app_id,
            teams.emulator.key,
        )
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def test_the_user_gets_a_reference_and_the_log_gets_the_error(
    teams: TeamsStack, failing_bot: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    activity = failing_bot.message_activity("help")
    failing_bot.send(activity)
    reply = wait_for(
        lambda: next(
            (p for p in teams.posted() if p["activity"].get("replyToId") == activity["id"]), None
        ),
        what="the error reply",
    )
    card = reply["activity"]["attachments"][0]["content"]
    assert "Something went wrong on our side" in all_text(card)
    assert "hunter2" not in json.dumps(teams.posted())
    assert "exploded" not in json.dumps(teams.posted())
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1]]
    assert any(str(error) == SECRET_DETAIL for error in logged)  # the log keeps the cause
