"""Audit runs and digest subscriptions keep the conversation they came from (platform,
workspace, channel), read records written before that as Slack's, and jobs post back on the
stored platform, whatever the channel id looks like."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import fakeredis
import pytest

from posture.conversations import ConversationRef, Platform
from posture.messages import AuditSummary
from workers.audit.jobs import _ensure_parent
from workers.audit.store import AuditStore
from workers.digest.jobs import destination
from workers.digest.subscriptions import Subscription, SubscriptionStore
from workers.platform.config import AppConfig
from workers.platform.runtime import JobEnvironment, use_environment

TEAMS_HERE = ConversationRef(
    platform=Platform.TEAMS, workspace="tenant-guid", channel="19:abc@thread.tacv2"
)
# A made-up Teams id without the colon every real one carries: routing must not look at it.
TEAMS_PLAIN = ConversationRef(platform=Platform.TEAMS, workspace="tenant-guid", channel="C0TEAMS")


def _create(store: AuditStore, run_id: str, where: ConversationRef) -> None:
    store.create_run(
        run_id,
        where=where,
        user="U1",
        scope={},
        scope_text="everything",
        correlation_id="cid",
        started=1.0,
    )


def test_an_audit_run_keeps_its_conversation() -> None:
    store = AuditStore(fakeredis.FakeRedis())
    _create(store, "r1", TEAMS_HERE)
    run = store.get_run("r1")
    assert run is not None
    assert run.where == TEAMS_HERE
    assert run.channel == "19:abc@thread.tacv2"


def test_an_audit_run_written_before_platforms_were_kept_is_slack() -> None:
    connection = fakeredis.FakeRedis()
    connection.hset(
        "cw:run:old",
        mapping={"channel": "C_OLD", "user": "U1", "scope": "{}", "state": "running"},
    )
    run = AuditStore(connection).get_run("old")
    assert run is not None
    assert run.where == ConversationRef(platform=Platform.SLACK, workspace="", channel="C_OLD")
    assert run.state == "running"


class Recorder:
    def __init__(self) -> None:
        self.summaries: list[str] = []

    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        self.summaries.append(channel)
        return f"ts-{len(self.summaries)}"


@pytest.mark.parametrize("where", [TEAMS_HERE, TEAMS_PLAIN, ConversationRef(channel="C1")])
def test_the_audit_job_posts_on_the_stored_platform(where: ConversationRef) -> None:
    connection = fakeredis.FakeRedis()
    store = AuditStore(connection)
    _create(store, "r2", where)
    slack, teams = Recorder(), Recorder()
    env = JobEnvironment(
        connection,
        slack,  # type: ignore[arg-type]
        AppConfig(),
        other_notifiers={Platform.TEAMS: teams},  # type: ignore[dict-item]
    )
    run = store.get_run("r2")
    assert run is not None
    with use_environment(env):
        assert _ensure_parent(store, run) == "ts-1"
    chosen, other = (teams, slack) if where.platform is Platform.TEAMS else (slack, teams)
    assert chosen.summaries == [where.channel]
    assert other.summaries == []


def _subscription(**where: Any) -> Subscription:
    return Subscription(
        at="09:00", created_at=datetime(2026, 5, 1, tzinfo=UTC), created_by="U1", **where
    )


def test_a_subscription_keeps_its_conversation() -> None:
    store = SubscriptionStore(fakeredis.FakeRedis())
    store.subscribe(_subscription(where=TEAMS_HERE))
    stored = store.get(TEAMS_HERE.channel)
    assert stored is not None and stored.where == TEAMS_HERE
    assert [s.where for s in store.all()] == [TEAMS_HERE]


def test_a_subscription_written_before_platforms_were_kept_is_slack() -> None:
    connection = fakeredis.FakeRedis()
    old = {"channel": "C_OLD", "at": "08:30", "created_at": "2026-05-01T00:00:00+00:00"}
    connection.hset("cw:subscriptions", "C_OLD", json.dumps(old))
    stored = SubscriptionStore(connection).get("C_OLD")
    assert stored is not None
    assert stored.where == ConversationRef(platform=Platform.SLACK, channel="C_OLD")
    assert stored.channel == "C_OLD" and stored.at == "08:30"


def test_a_digest_job_queued_without_a_conversation_posts_to_slack() -> None:
    assert destination("C_OLD", None) == ConversationRef(platform=Platform.SLACK, channel="C_OLD")
    assert destination("C0TEAMS", TEAMS_PLAIN.model_dump(mode="json")) == TEAMS_PLAIN
