"""In one process (real redis-server, fake AWS server, emulator): dry run, and the expiry job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.metrics import BotMetrics
from bot.slack.app import BotDeps
from bot.slack.approvers import group_members, resolve_approvers
from bot.slack.listeners.approvals import decide_click
from bot.slack.listeners.slack_input import flow_context
from bot.slack.notifier import SlackNotifier, make_web_client
from posture.approvals import Decision, State
from posture.base import ResourceKind, Severity
from posture.conversations import Actor
from posture.findings import Finding, Status
from sandbox.fake_aws import FakeAwsServer, group_state
from sandbox.redis_server import RedisServer
from sandbox.slack_emulator import SlackEmulator
from workers.approvals.jobs import expire_request
from workers.approvals.store import ApprovalStore
from workers.audit.store import AuditStore
from workers.platform.config import AppConfig, parse_config
from workers.platform.enqueue import QUEUES, enqueue_prepare_fix, worker_queues
from workers.platform.redis_connection import connect
from workers.platform.runtime import JobEnvironment, use_environment
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
# moto's state is per process: a region no other test in this process uses
ACCOUNT, REGION, CHANNEL = "123456789012", "eu-west-2", "C_PLATFORM"
CONFIG = '[bot]\ndry_run = true\napprover_users = ["U_SECURITY"]\nsecurity_channel = "C_SECURITY"\n'


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        yield from _world()


def _world() -> Iterator[dict[str, Any]]:
    with RedisServer() as redis_server, FakeAwsServer() as aws, SlackEmulator() as emulator:
        elasticache = boto3.client("elasticache", endpoint_url=aws.url, region_name=REGION)
        elasticache.create_replication_group(
            ReplicationGroupId="dry", ReplicationGroupDescription="d", Engine="redis", EngineVersion="7.1",
            CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        )  # fmt: skip
        connection = connect(redis_server.url)
        client = make_web_client(emulator.bot_token, emulator.api_url)
        config = parse_config(CONFIG)
        env = JobEnvironment(
            connection, SlackNotifier(client, connection), config, endpoint_url=aws.url
        )
        try:
            yield {
                "connection": connection,
                "client": client,
                "config": config,
                "env": env,
                "aws": aws,
                "emulator": emulator,
            }
        finally:
            elasticache.delete_replication_group(ReplicationGroupId="dry")


def _work(world: dict[str, Any]) -> None:
    connection = world["connection"]
    with use_environment(world["env"]):
        SimpleWorker(
            worker_queues(connection), connection=connection, serializer=JSONSerializer
        ).work(burst=True)


def _pending_request(world: dict[str, Any]) -> str:
    connection, client = world["connection"], world["client"]
    parent = client.chat_postMessage(channel=CHANNEL, text="audit")["ts"]
    finding = Finding(
        rule_id="CW-401", title="Backups", aliases={}, severity=Severity.HIGH, status=Status.FAIL,
        resource_kind=ResourceKind.REPLICATION_GROUP, resource_id="dry", resource_arn="", account=ACCOUNT,
        region=REGION, engine="redis 7.1", evidence="backups off",
    )  # fmt: skip
    AuditStore(connection).save_finding_refs({"f0000001": finding})
    assert enqueue_prepare_fix(connection, "f0000001", "U_ENGINEER", CHANNEL, parent)
    _work(world)
    pending = ApprovalStore(connection).pending()
    assert len(pending) == 1
    return pending[0].request_id


def _deps(world: dict[str, Any], config: AppConfig) -> BotDeps:
    return BotDeps(
        connection=world["connection"],
        config=config,
        metrics=BotMetrics(world["connection"], QUEUES),
    )


def test_dry_run_describes_the_call_and_changes_nothing(world: dict[str, Any]) -> None:
    request_id = _pending_request(world)
    ctx = flow_context(world["client"], _deps(world, world["config"]))
    clicked = ApprovalStore(world["connection"]).get(request_id).posted  # type: ignore[union-attr]
    assert clicked is not None
    actor = Actor(user="U_SECURITY", channel=clicked.conversation.channel)
    answer = decide_click(ctx, actor, request_id, Decision.APPROVE, clicked)
    assert answer["text"].startswith("Approved.")
    _work(world)
    done = ApprovalStore(world["connection"]).get(request_id)
    assert (
        done is not None
        and done.state is State.DONE
        and done.outcome == "dry run: AWS was not called"
    )
    assert group_state(world["aws"].url, ACCOUNT, REGION, "dry")["snapshot_retention_limit"] == 0
    emulator = world["emulator"]
    parents = emulator.messages(CHANNEL)
    said = " ".join(str(m.get("text")) for p in parents for m in emulator.thread(CHANNEL, p["ts"]))
    assert "Dry run" in said and "SnapshotRetentionLimit" in said
    logged = [
        e.fields["event"]
        for e in AuditLog(world["connection"]).all()
        if e.fields.get("request_id") == request_id
    ]
    assert "aws.call.skipped" in logged and "aws.call" not in logged


def test_expiry_job_expires_a_pending_request_for_everyone(world: dict[str, Any]) -> None:
    request_id = _pending_request(world)
    store = ApprovalStore(world["connection"])
    store.update_fields(request_id, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with use_environment(world["env"]):
        expire_request(request_id)
        expire_request(request_id)  # a second run changes nothing
    expired = store.get(request_id)
    assert expired is not None and expired.state is State.EXPIRED
    updates = world["emulator"].calls("chat.update")
    assert updates and "Expired" in str(updates[-1].params)
    logged = [
        e.fields["event"]
        for e in AuditLog(world["connection"]).all()
        if e.fields.get("request_id") == request_id
    ]
    assert logged.count("request.expired") == 1


def test_approver_groups_come_from_slack_cached_and_fail_closed(world: dict[str, Any]) -> None:
    client, connection, emulator = world["client"], world["connection"], world["emulator"]
    before = len(emulator.calls("usergroups.users.list"))
    assert group_members(client, connection, "S_SECURITY") == {"U_SECURITY", "U_SECURITY2"}
    assert group_members(client, connection, "S_SECURITY") == {"U_SECURITY", "U_SECURITY2"}
    assert len(emulator.calls("usergroups.users.list")) == before + 1  # the second read is cached
    assert group_members(client, connection, "S_UNKNOWN") == frozenset()  # Slack says no: nobody
    config = parse_config(
        '[bot]\napprover_users = ["U_LEAD"]\napprover_groups = ["S_SECURITY", "S_UNKNOWN"]\n'
    )
    approvers = resolve_approvers(client, connection, config.bot)
    assert approvers.allows("U_LEAD") and approvers.allows("U_SECURITY2")
    assert not approvers.allows("U_OUTSIDER")
