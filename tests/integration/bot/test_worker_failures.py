"""A worker that raises mid-scan leaves the parent message saying so; nothing is lost silently."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.slack.notifier import SlackNotifier, make_web_client
from commands.scope import Scope
from posture.conversations import ConversationRef, Platform
from sandbox.fake_aws import FakeAwsServer
from sandbox.redis_server import RedisServer
from sandbox.slack_emulator import SlackEmulator
from workers.platform.config import parse_config
from workers.platform.enqueue import worker_queues
from workers.platform.queueing import enqueue_audit
from workers.platform.redis_connection import connect
from workers.platform.runtime import JobEnvironment, use_environment

pytestmark = pytest.mark.integration


@pytest.fixture
def parts(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[RedisServer, FakeAwsServer, SlackEmulator]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with RedisServer() as redis_server, FakeAwsServer() as aws, SlackEmulator() as emulator:
        yield redis_server, aws, emulator


def _run_audit(redis_server: RedisServer, aws: FakeAwsServer, emulator: SlackEmulator) -> str:
    connection = connect(redis_server.url)
    config = parse_config('[scan]\nregions = ["us-east-1", "eu-west-1"]\n')
    ticket = enqueue_audit(
        connection,
        where=ConversationRef(platform=Platform.SLACK, channel="C_PLATFORM"),
        user="U_ENGINEER",
        scope=Scope(),
        config=config,
        correlation_id="cid-test-1",
    )
    env = JobEnvironment(
        connection=connection,
        notifier=SlackNotifier(make_web_client(emulator.bot_token, emulator.api_url), connection),
        config=config,
        endpoint_url=aws.url,
    )
    with use_environment(env):
        SimpleWorker(
            worker_queues(connection), connection=connection, serializer=JSONSerializer
        ).work(burst=True)
    return ticket.run_id


def test_part_that_raises_is_reported_in_the_parent(parts, monkeypatch: pytest.MonkeyPatch) -> None:
    redis_server, aws, emulator = parts
    boto3.client(
        "elasticache", endpoint_url=aws.url, region_name="eu-west-1"
    ).create_replication_group(
        ReplicationGroupId="eu-cache",
        ReplicationGroupDescription="x",
        Engine="valkey",
        CacheNodeType="cache.t4g.micro",
    )
    import workers.audit.jobs as audit_jobs

    real_collect = audit_jobs.collect_inventory

    def crash_in_us_east_1(session, account, region, *args, **kwargs):  # type: ignore[no-untyped-def]
        if region == "us-east-1":
            raise RuntimeError("simulated crash with secret=hunter2hunter2")
        return real_collect(session, account, region, *args, **kwargs)

    monkeypatch.setattr(audit_jobs, "collect_inventory", crash_in_us_east_1)
    run_id = _run_audit(redis_server, aws, emulator)

    parents = [m for m in emulator.messages("C_PLATFORM") if run_id in json.dumps(m)]
    assert len(parents) == 1
    text = json.dumps(parents[0]["blocks"])
    assert "(done)" in text
    assert "Part of the scope could not be assessed" in text
    assert "RuntimeError while scanning" in text and "us-east-1" in text
    assert "cid-test-1" in text
    assert "hunter2" not in json.dumps([c.params for c in emulator.calls()])
    # The healthy region still reported its findings in the thread.
    thread = emulator.thread("C_PLATFORM", parents[0]["ts"])
    assert "eu-cache" in json.dumps(thread)


def test_every_part_failing_still_publishes(parts, monkeypatch: pytest.MonkeyPatch) -> None:
    redis_server, aws, emulator = parts
    import workers.audit.jobs as audit_jobs

    def always_crash(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(audit_jobs, "collect_inventory", always_crash)
    run_id = _run_audit(redis_server, aws, emulator)
    parents = [m for m in emulator.messages("C_PLATFORM") if run_id in json.dumps(m)]
    assert len(parents) == 1
    text = json.dumps(parents[0]["blocks"])
    assert "2 parts of the scan failed" in text


def test_slack_429_is_waited_out_and_nothing_is_lost(parts) -> None:  # type: ignore[no-untyped-def]
    redis_server, aws, emulator = parts
    emulator.fail_next("chat.postMessage", status=429, retry_after=1, count=2)
    run_id = _run_audit(redis_server, aws, emulator)
    posts = emulator.calls("chat.postMessage")
    assert sum(1 for call in posts if call.response.get("error") == "ratelimited") == 2
    parents = [m for m in emulator.messages("C_PLATFORM") if run_id in json.dumps(m)]
    assert len(parents) == 1 and "(done)" in json.dumps(parents[0]["blocks"])
