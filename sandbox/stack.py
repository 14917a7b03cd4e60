"""The whole bot on one machine: real redis-server, fake AWS, Slack emulator, web and workers.

`make demo` and the end-to-end tests both run this, so what the tests prove is what the
demo shows. Web and worker are real subprocesses started with the `cachewarden` entry
points; the fake AWS and the emulator serve HTTP on 127.0.0.1 from this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.fake_aws import FakeAwsServer
from sandbox.fake_aws import reset as reset_fake_aws
from sandbox.redis_server import RedisServer, free_port
from sandbox.slack_emulator import SignedClient, SlackEmulator
from sandbox.socket_mode import SocketModeDriver, SocketModeServer
from sandbox.teams_connector.client import TeamsClient
from sandbox.teams_connector.server import ConnectorEmulator

DEMO_CONFIG = """
[scan]
regions = {regions}
role_arns = {role_arns}
max_workers = 4

[bot]
approver_groups = ["S_SECURITY"]
security_channel = "C_SECURITY"
{bot_extra}
[tags]
required = ["owner"]
"""


@dataclass
class StackOptions:
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    role_arns: tuple[str, ...] = ()
    workers: int = 1
    web_port: int = 0
    emulator_port: int = 0
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    bot_extra: str = ""  # more [bot] lines, e.g. 'dry_run = true'
    config_extra: str = ""  # more TOML sections, e.g. '[auth]\nallowed_user_groups = [...]'
    cron: bool = False  # run `cachewarden cron` (digest schedules)
    cron_tick_seconds: int = 1  # 0: every minute, as in production
    mode: str = "http"  # "socket": the bot runs `serve --socket` against the emulated endpoint
    redis_appendonly: bool = False  # durable Redis, for the restart tests of the fault matrix
    teams: bool = False  # also run the Bot Connector emulator and `serve --teams`
    teams_port: int = 0
    teams_approvers: tuple[str, ...] = ()  # Entra object ids for [teams] approver_users


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


class Stack:
    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        self.redis = RedisServer(appendonly=self.options.redis_appendonly)
        self.aws = FakeAwsServer()
        self.emulator = SlackEmulator(port=self.options.emulator_port)
        self.web_port = self.options.web_port or free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="cachewarden-stack-")
        self.log_dir = self.options.log_dir or Path(self._tmp.name) / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._web: subprocess.Popen[bytes] | None = None
        self._workers: list[subprocess.Popen[bytes]] = []
        self._cron: subprocess.Popen[bytes] | None = None
        self.socket_mode: SocketModeServer | None = None
        if self.options.mode == "socket":
            self.socket_mode = SocketModeServer(self.emulator.app_token)
        self._teams_web: subprocess.Popen[bytes] | None = None
        self.teams: ConnectorEmulator | None = None
        self.teams_port = self.options.teams_port or free_port()
        if self.options.teams:  # production auth: MSAL and JWTs against the emulator
            self.teams = ConnectorEmulator(Path(self._tmp.name))

    @property
    def bot_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def config_text(self) -> str:
        return (
            DEMO_CONFIG.format(
                regions=_toml_list(self.options.regions),
                role_arns=_toml_list(self.options.role_arns),
                bot_extra=self.options.bot_extra,
            )
            + self.options.config_extra
            + (
                f"\n[teams]\napprover_users = {_toml_list(self.options.teams_approvers)}\n"
                if self.options.teams_approvers
                else ""
            )
        )

    def environment(self) -> dict[str, str]:
        config_path = Path(self._tmp.name) / "cachewarden.toml"
        config_path.write_text(self.config_text())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_"))}
        env.update(
            SLACK_BOT_TOKEN=self.emulator.bot_token,
            SLACK_SIGNING_SECRET=self.emulator.signing_secret,
            SLACK_APP_TOKEN=self.emulator.app_token,
            SLACK_API_URL=self.emulator.api_url,
            REDIS_URL=self.redis.url,
            CACHEWARDEN_CONFIG=str(config_path),
            AWS_ENDPOINT_URL=self.aws.url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if self.options.mode == "socket":  # /healthz and /metrics on the ops listener
            env["METRICS_PORT"] = str(self.web_port)
        if self.teams is not None:
            env.update(self.teams.bot_environment())
        env.update(self.options.extra_env)
        return env

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self) -> Stack:
        self.redis.start()
        self.aws.start()
        # moto's state lives as long as the process: start every stack from an empty AWS.
        reset_fake_aws(self.aws.url)
        self.emulator.start()
        self.emulator.bot_url = self.bot_url
        if self.socket_mode is not None:
            self.emulator.socket_mode = self.socket_mode.start()
            self._web = self._spawn("web", "serve", "--socket", "--host", "127.0.0.1")
        else:
            self._web = self._spawn(
                "web", "serve", "--http", "--host", "127.0.0.1", "--port", str(self.web_port)
            )
        if self.teams is not None:
            self.teams.start()
            self.teams.bot_url = self.teams_url  # the demo page's Teams view sends here
            self.teams.slack_url = self.emulator.base_url
            self.emulator.teams_page_url = self.teams.page_url
            self._teams_web = self._spawn(
                "teams", "serve", "--teams", "--host", "127.0.0.1", "--port", str(self.teams_port)
            )
        for index in range(self.options.workers):
            self.start_worker(index)
        if self.options.cron:
            self.start_cron()
        if self.socket_mode is not None:
            self.socket_mode.wait_connected()
        self._wait_healthy()
        if self._teams_web is not None:
            self._wait_healthy(url=self.teams_url, process=self._teams_web, name="teams")
        return self

    @property
    def teams_url(self) -> str:
        return f"http://127.0.0.1:{self.teams_port}"

    def teams_client(self) -> TeamsClient:
        """Signs activities as the Bot Connector would and posts them to `serve --teams`."""
        if self.teams is None:
            raise RuntimeError("this stack runs without Teams (StackOptions.teams)")
        return TeamsClient(
            self.teams_url, self.teams.service_url, self.teams.app_id, self.teams.key
        )

    def start_cron(self) -> subprocess.Popen[bytes]:
        """The one scheduler process; call stop_cron() first to restart it."""
        tick = str(self.options.cron_tick_seconds)
        self._cron = self._spawn("cron", "cron", "--tz", "UTC", "--tick-seconds", tick)
        return self._cron

    def stop_cron(self) -> None:
        if self._cron is not None and self._cron.poll() is None:
            os.killpg(self._cron.pid, signal.SIGTERM)
            self._cron.wait(timeout=10)
        self._cron = None

    def trigger_digest(self, channel: str = "C_PLATFORM", user: str = "U_ENGINEER") -> str:
        """Today's digest for a channel, now (what `/cache-audit digest now` does); returns the ack."""
        answer = self.signed_client().command(
            "/cache-audit", "digest now", user_id=user, channel_id=channel
        )
        return str((answer.json() or {}).get("text", ""))

    def start_worker(self, index: int | None = None) -> subprocess.Popen[bytes]:
        # The scheduler runs enqueue_in/enqueue_at jobs: rotation checks, approval expiry.
        worker = self._spawn(
            f"worker-{index if index is not None else len(self._workers)}",
            "worker",
            "--with-scheduler",
        )
        self._workers.append(worker)
        return worker

    @property
    def workers(self) -> list[subprocess.Popen[bytes]]:
        return self._workers

    def _wait_healthy(
        self,
        timeout: float = 30.0,
        *,
        url: str | None = None,
        process: subprocess.Popen[bytes] | None = None,
        name: str = "web",
    ) -> None:
        url, process = url or self.bot_url, process or self._web
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the bot exited at start; see {self.log_dir / f'{name}.log'}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the bot did not become healthy; see {self.log_dir / f'{name}.log'}")

    def signed_client(self) -> SignedClient:
        """What Slack sends the bot: signed HTTP posts, or envelopes in Socket Mode."""
        if self.socket_mode is not None:
            return SocketModeDriver(self.socket_mode, self.emulator)
        return SignedClient(self.bot_url, self.emulator.signing_secret, self.emulator)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        self.stop_cron()
        processes = [*self._workers, self._web, self._teams_web]
        for process in processes:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self._workers.clear()
        self._web = self._teams_web = None
        if self.socket_mode is not None:
            self.socket_mode.stop()
        if self.teams is not None:
            self.teams.stop()
        self.emulator.stop()
        self.aws.stop()
        self.redis.stop()
        self._tmp.cleanup()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
