"""Real processes: redis-server, the Bot Connector emulator, and `cachewarden serve --teams`
in production auth mode (MSAL against the emulator's HTTPS token endpoint, inbound JWTs
checked against the emulator's signing keys)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import redis
from aiohttp import web

from bot.teams.approvers import static_fetcher
from bot.teams.context import TeamsDeps
from bot.teams.references import ConversationStore
from bot.teams.server import build_web_app, teams_deps
from bot.teams.settings import TeamsSettings
from sandbox.redis_server import RedisServer, free_port, wait_for_port
from sandbox.teams_connector.client import TeamsClient
from sandbox.teams_connector.server import ConnectorEmulator
from workers.platform.config import AppConfig

pytestmark = pytest.mark.integration


@dataclass
class TeamsStack:
    emulator: ConnectorEmulator
    redis: RedisServer
    client: TeamsClient
    bot_url: str
    log_path: Path

    def posted(self) -> list[dict[str, Any]]:
        return list(self.emulator.snapshot()["posted"])

    def requests(self) -> list[dict[str, Any]]:
        return list(self.emulator.snapshot()["requests"])

    def bot_log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the Teams bot exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the Teams bot did not become healthy")


@contextlib.contextmanager
def running_stack(state: Path, *, anonymous: bool = False) -> Iterator[TeamsStack]:
    """redis-server, the emulator and `cachewarden serve --teams` as a subprocess."""
    with RedisServer() as redis, ConnectorEmulator(state, require_token=not anonymous) as emulator:
        port = free_port()
        teams_env = emulator.bot_environment()
        if anonymous:  # no credentials; a token that is present is still checked
            teams_env = {
                "CACHEWARDEN_TEAMS_ANONYMOUS": "true",
                "CACHEWARDEN_TEAMS_APP_ID": emulator.app_id,
                "CACHEWARDEN_TEAMS_OPENID_METADATA_URL": emulator.openid_metadata_url,
                "SSL_CERT_FILE": str(emulator.cert_file),
            }
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CACHEWARDEN_TEAMS_")},
            **teams_env,
            "REDIS_URL": redis.url,
            "LOG_LEVEL": "INFO",
        }
        log_path = state / "bot.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot.cli",
                    "serve",
                    "--teams",
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, timeout=60)
            bot_url = f"http://127.0.0.1:{port}"
            _wait_healthy(bot_url, process, log_path)
            client = TeamsClient(bot_url, emulator.service_url, emulator.app_id, emulator.key)
            yield TeamsStack(emulator, redis, client, bot_url, log_path)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """An aiohttp app on a free loopback port in a thread of this process; yields its URL."""
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
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def in_process_bot(
    teams: TeamsStack, config: AppConfig, groups: dict[str, frozenset[str]] | None = None
) -> tuple[web.Application, TeamsDeps]:
    """The Teams web app as `serve --teams` builds it, with the config and Entra groups given
    (a static directory instead of Microsoft Graph). Needs the emulator's environment set."""
    settings = TeamsSettings()
    connection = redis.Redis.from_url(teams.redis.url)
    store = ConversationStore(connection)
    deps = replace(
        teams_deps(settings, store, connection, config), fetch_group=static_fetcher(groups or {})
    )
    return build_web_app(settings, store, deps), deps


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamsStack]:
    with running_stack(tmp_path_factory.mktemp("teams")) as stack:
        yield stack
