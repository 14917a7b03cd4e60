"""Real redis-server, fake AWS and the Slack emulator, with a worker run in-process on a set clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.slack.notifier import SlackNotifier, make_web_client
from sandbox.fake_aws import FakeAwsServer, reset
from sandbox.redis_server import RedisServer
from sandbox.slack_emulator import SlackEmulator
from workers.platform.config import parse_config
from workers.platform.cron import build_scheduler
from workers.platform.enqueue import worker_queues
from workers.platform.redis_connection import connect
from workers.platform.runtime import JobEnvironment, use_environment

CHANNEL = "C_PLATFORM"
CONFIG = '[scan]\nregions = ["us-east-1"]\n[digest]\ndefault_timezone = "Europe/Berlin"\n'


def seed(aws_url: str) -> Any:
    """A known fleet; the fake AWS keeps state per process, so start from a clean one."""
    reset(aws_url)
    client = boto3.client(
        "elasticache",
        endpoint_url=aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_replication_group(
        ReplicationGroupId="orders-prod",
        ReplicationGroupDescription="orders",
        Engine="redis",
        EngineVersion="5.0.6",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=2,
    )
    client.create_replication_group(
        ReplicationGroupId="sessions",
        ReplicationGroupDescription="sessions",
        Engine="valkey",
        EngineVersion="8.0",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
        TransitEncryptionEnabled=True,
        AuthToken="a-Sufficiently-Long-Token-123",
    )
    return client


@dataclass
class Rig:
    """One Redis, one fake AWS, one emulator; `run_at` ticks the cron and drains the queue."""

    connection: redis.Redis
    emulator: SlackEmulator
    aws_url: str
    elasticache: Any
    now: list[datetime] = field(default_factory=lambda: [datetime(2026, 5, 1, tzinfo=UTC)])

    def environment(self) -> JobEnvironment:
        client = make_web_client(self.emulator.bot_token, self.emulator.api_url)
        return JobEnvironment(
            connection=self.connection,
            notifier=SlackNotifier(client, self.connection),
            config=parse_config(CONFIG),
            endpoint_url=self.aws_url,
            clock=lambda: self.now[0],
        )

    def drain(self) -> None:
        worker = SimpleWorker(
            worker_queues(self.connection), connection=self.connection, serializer=JSONSerializer
        )
        with use_environment(self.environment()):
            worker.work(burst=True, logging_level="WARNING")

    def run_at(self, moment: datetime) -> int:
        """A freshly started `cachewarden cron` ticks once at `moment`; the worker drains."""
        self.now[0] = moment
        scheduler = build_scheduler(self.connection, tick_seconds=60)
        ticks = len(scheduler.enqueue_jobs())
        self.drain()
        return ticks

    def digests(self) -> list[dict[str, Any]]:
        return [m for m in self.emulator.messages(CHANNEL) if "ElastiCache digest" in json.dumps(m)]

    def notices(self, words: str) -> list[dict[str, Any]]:
        return [m for m in self.emulator.messages(CHANNEL) if words in json.dumps(m)]


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with RedisServer() as redis_server, FakeAwsServer() as aws, SlackEmulator() as emulator:
            yield Rig(connect(redis_server.url), emulator, aws.url, seed(aws.url))
            reset(aws.url)  # the fake's state is per process: leave none for the next module
