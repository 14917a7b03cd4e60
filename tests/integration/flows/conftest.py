"""Flows called directly, with no chat platform: a real redis-server and a recording notifier."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from rq import Queue
from rq.serializers import JSONSerializer

from posture.approvals import ApprovalRequest, Approvers, RequestKind
from posture.conversations import Actor, ConversationRef, MessageRef, Platform
from posture.messages import Notice
from sandbox.redis_server import RedisServer
from workers.platform.config import AppConfig, parse_config
from workers.platform.context import FlowContext
from workers.platform.enqueue import QUEUES
from workers.platform.notifier import Notifiers
from workers.platform.redis_connection import connect

pytestmark = pytest.mark.integration
WORKSPACE, CHANNEL, SECURITY, THREAD = "T_ACME", "C_PLATFORM", "C_SECURITY", "1700000000.000100"
REQUESTER, APPROVER, APPROVER2, OUTSIDER = "U_ENGINEER", "U_SECURITY", "U_SECURITY2", "U_OUTSIDER"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
CONFIG = f'[bot]\napprover_users = ["{APPROVER}", "{APPROVER2}"]\nsecurity_channel = "{SECURITY}"\n'


@dataclass
class RecordingNotifier:
    """Stands in for a chat platform: remembers what a flow asked it to show."""

    posted: list[tuple[str, ConversationRef, Any]] = field(default_factory=list)
    updated: list[tuple[MessageRef, Any]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _post(self, kind: str, where: ConversationRef, what: Any) -> MessageRef:
        self.posted.append((kind, where, what))
        return MessageRef(conversation=where, message_id=f"1700000001.{next(self._ids):06d}")

    def post_approval(self, where: ConversationRef, request: ApprovalRequest) -> MessageRef:
        return self._post("approval", where, request)

    def update_approval(self, message: MessageRef, request: ApprovalRequest) -> None:
        self.updated.append((message, request))

    def post_rotation(self, where: ConversationRef, update: Any) -> MessageRef:
        return self._post("rotation", where, update)

    def post_plan(self, where: ConversationRef, plan: Any) -> MessageRef:
        return self._post("plan", where, plan)

    def post_fix_result(self, where: ConversationRef, result: Any) -> MessageRef:
        return self._post("result", where, result)

    def say(self, where: ConversationRef, notice: Notice, *, user: str | None = None) -> None:
        self._post("notice", where, (notice, user))


@dataclass
class StaticDirectory:
    users: frozenset[str]

    def approvers(self) -> Approvers:
        return Approvers(users=self.users)


@dataclass
class World:
    connection: redis.Redis
    notifier: RecordingNotifier
    config: AppConfig
    now: list[datetime]

    def ctx(self, *, workspace: str = WORKSPACE, config: AppConfig | None = None) -> FlowContext:
        used = config or self.config
        return FlowContext(
            connection=self.connection,
            config=used,
            notifiers=Notifiers({Platform.SLACK: self.notifier}),  # type: ignore[dict-item]
            directory=StaticDirectory(frozenset(used.bot.approver_users)),
            workspace=workspace,
            clock=lambda: self.now[0],
        )

    def jobs(self) -> list[Any]:
        """Every queued job, approved actions first (the order workers serve them)."""
        return [
            job
            for name in QUEUES
            for job in Queue(name, connection=self.connection, serializer=JSONSerializer).jobs
        ]

    def later(self, hours: float) -> None:
        self.now[0] = self.now[0] + timedelta(hours=hours)


@pytest.fixture(scope="package")
def redis_url() -> Iterator[str]:
    with RedisServer() as server:
        yield server.url


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    connection = connect(redis_url)
    connection.flushall()
    yield World(connection, RecordingNotifier(), parse_config(CONFIG), [NOW])
    connection.close()


def actor(user: str, channel: str = CHANNEL, workspace: str = WORKSPACE) -> Actor:
    return Actor(platform=Platform.SLACK, workspace=workspace, user=user, channel=channel)


def origin() -> ConversationRef:
    return ConversationRef(
        platform=Platform.SLACK, workspace=WORKSPACE, channel=CHANNEL, thread=THREAD
    )


def fix_request(request_id: str = "req00000001", **changes: Any) -> ApprovalRequest:
    fields: dict[str, Any] = {
        "request_id": request_id,
        "kind": RequestKind.FIX,
        "requester": REQUESTER,
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=24),
        "rule_id": "CW-401",
        "finding_id": "f0000001",
        "account": "123456789012",
        "region": "eu-west-1",
        "resource_kind": "replication_group",
        "resource_id": "orders",
        "change": "Turn on daily backups.",
        "api_call": "ModifyReplicationGroup(SnapshotRetentionLimit=7)",
        "origin": origin(),
    }
    fields.update(changes)
    return ApprovalRequest(**fields)


Factory = Callable[..., ApprovalRequest]
