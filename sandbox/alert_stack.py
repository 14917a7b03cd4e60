"""A real stack plus the alert listener, for tests and the benchmark: redis-server, fake AWS
with the alert plumbing, the Slack emulator, the bot, one RQ worker and `cachewarden listen`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from sandbox.fake_aws import FakeAwsServer, set_modify_delay
from sandbox.fake_aws.events import KEYS, create_alert_plumbing, queue_depth
from sandbox.redis_server import free_port
from sandbox.stack import Stack, StackOptions
from workers.platform.enqueue import QUEUES, queue
from workers.platform.redis_connection import connect

REGION = "us-east-1"
ACCOUNT = "123456789012"
ALERTS = "C_PLATFORM"
OTHER = "C_SECURITY"
QUEUE = "cachewarden-alerts"
Message = dict[str, Any]


def alerts_config(aws_port: int, **extra: object) -> str:
    base = f"http://127.0.0.1:{aws_port}/{ACCOUNT}"
    lines = [
        "\n[alerts]",
        f'queue_url = "{base}/{QUEUE}"',
        f'dlq_url = "{base}/{QUEUE}-dlq"',
        f'queue_region = "{REGION}"',
        "wait_seconds = 1",
        "visibility_seconds = 10",
        "recheck_seconds = 2",
        "recheck_attempts = 3",
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


class AlertStack:
    def __init__(
        self,
        *,
        max_receive_count: int = 2,
        teams_approvers: tuple[str, ...] = (),
        **alerts: object,
    ) -> None:
        """`teams_approvers` (Entra object ids) also runs the Bot Connector and `serve --teams`."""
        aws_port = free_port()
        self.stack = Stack(
            StackOptions(
                regions=(REGION,),
                teams=bool(teams_approvers),
                teams_approvers=teams_approvers,
                config_extra=alerts_config(aws_port, **alerts),
                log_dir=Path(os.environ["CW_ALERT_LOGS"])
                if os.environ.get("CW_ALERT_LOGS")
                else None,
            )
        )
        self.stack.aws = FakeAwsServer(aws_port)
        self.max_receive_count = max_receive_count
        self.listen_port = free_port()
        self.listener: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AlertStack:
        self.stack.start()
        set_modify_delay(self.url, 0)  # changes apply at once; pending values have unit tests
        self.plumbing = create_alert_plumbing(
            self.url, REGION, name=QUEUE, max_receive_count=self.max_receive_count,
            visibility_seconds=10,
        )  # fmt: skip
        self.start_listener()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop_listener()
        set_modify_delay(self.url, 1)
        self.stack.stop()

    @property
    def url(self) -> str:
        return self.stack.aws.url

    def start_listener(self) -> None:
        log = (self.stack.log_dir / "listen.log").open("ab")
        self.listener = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "listen", "--host", "127.0.0.1",
             "--port", str(self.listen_port)],
            env=self.stack.environment(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: self.health() == 200, 30, "the listener's /healthz")

    def stop_listener(self) -> None:
        if self.listener is not None and self.listener.poll() is None:
            os.killpg(self.listener.pid, signal.SIGTERM)
            self.listener.wait(timeout=15)
        self.listener = None

    def health(self) -> int:
        try:
            url = f"http://127.0.0.1:{self.listen_port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as answer:
                return int(answer.status)
        except OSError as exc:
            return int(getattr(exc, "code", 0) or 0)

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.listen_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return str(answer.read().decode())

    def metric(self, name: str) -> float:
        total = 0.0
        for line in self.metrics().splitlines():
            if line.startswith(name) and not line.startswith("#"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def command(self, text: str, channel: str = ALERTS, user: str = "U_ENGINEER") -> str:
        answer = self.stack.signed_client().command(
            "/cache-audit", text, user_id=user, channel_id=channel
        )
        return str((answer.json() or {}).get("text", ""))

    def elasticache(self) -> Any:
        return boto3.client("elasticache", endpoint_url=self.url, region_name=REGION, **KEYS)

    def ec2(self) -> Any:
        return boto3.client("ec2", endpoint_url=self.url, region_name=REGION, **KEYS)

    def messages(self, channel: str = ALERTS) -> list[Message]:
        return self.stack.emulator.messages(channel)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until the queue is drained and no alert job is queued or running."""
        redis_conn = connect(self.stack.redis.url)
        queues = [queue(redis_conn, name) for name in QUEUES]

        def idle() -> bool:
            visible, in_flight = queue_depth(self.url, self.plumbing.queue_url, REGION)
            busy = sum(q.count + q.started_job_registry.count for q in queues)
            return visible == 0 and in_flight == 0 and busy == 0

        def stays_idle() -> bool:
            if not idle():
                return False
            time.sleep(1.5)  # a long poll may be holding a message it just received
            return idle()

        wait_for(stays_idle, timeout, "the alert pipeline to go idle")


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def text_of(message: Message) -> str:
    return json.dumps(message.get("blocks") or []) + str(message.get("text", ""))


def healthy_group(ec: Any, group_id: str, **settings: Any) -> None:
    params = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": group_id,
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t4g.small",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": True,
        "SnapshotRetentionLimit": 7,
        **settings,
    }
    ec.create_replication_group(**params)
