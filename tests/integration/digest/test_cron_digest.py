"""The cron path over a real redis-server: RQ cron tick -> JSON worker -> digest -> emulator.

A "restart" is a new scheduler instance (what a restarted `cachewarden cron` builds);
the clock the jobs see is set per tick, so schedules are tested at exact moments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from posture.approvals import ApprovalRequest, RequestKind
from posture.base import ResourceKind
from posture.conversations import ConversationRef
from posture.digest import ScheduleNote
from posture.suppressions import AcceptedRisk
from tests.integration.digest.conftest import CHANNEL, Rig
from workers.approvals.store import ApprovalStore
from workers.approvals.suppressions_store import SuppressionStore
from workers.audit.history_store import HistoryStore
from workers.digest.jobs import DigestClaims
from workers.digest.subscriptions import Subscription, SubscriptionStore
from workers.platform.enqueue import enqueue_digest

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("digest-rig")]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def fresh(rig: Rig) -> Iterator[Rig]:
    rig.connection.flushdb()
    rig.emulator.reset()
    yield rig


def subscribe(rig: Rig, created: datetime, at: str = "09:00", tz: str = "Europe/Berlin") -> None:
    SubscriptionStore(rig.connection).subscribe(
        Subscription(
            channel=CHANNEL, at=at, timezone=tz, created_at=created, created_by="U_ENGINEER"
        )
    )


def test_subscription_enqueues_exactly_one_digest_at_its_local_time(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 3, 12))
    assert fresh.run_at(utc(2026, 5, 4, 6, 59)) == 1  # 08:59 in Berlin: the tick runs, no digest
    assert fresh.digests() == []
    for moment in (utc(2026, 5, 4, 7, 0, 5), utc(2026, 5, 4, 7, 0, 40), utc(2026, 5, 4, 7, 3)):
        fresh.run_at(moment)
    digests = fresh.digests()
    assert len(digests) == 1
    text = json.dumps(digests[0]["blocks"])
    assert "Daily ElastiCache digest" in text and "2026-05-04" in text
    assert "First digest for this scope" in text
    files = {f["name"] for f in fresh.emulator.files()}
    assert files == {"cachewarden-digest-2026-05-04.csv", "cachewarden-trend-2026-05-04.png"}
    chart = next(f for f in fresh.emulator.files() if f["name"].endswith(".png"))
    assert chart["content"].startswith(b"\x89PNG\r\n\x1a\n")
    thread = fresh.emulator.thread(CHANNEL, digests[0]["ts"])
    assert sum(len(m.get("files") or []) for m in thread) == 2


def test_restart_and_retry_never_double_post(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 3, 12))
    fresh.run_at(utc(2026, 5, 4, 7, 1))
    assert len(fresh.digests()) == 1
    # A restarted scheduler ticks again the same minute and later that day.
    fresh.run_at(utc(2026, 5, 4, 7, 1, 30))
    fresh.run_at(utc(2026, 5, 4, 20))
    # RQ re-runs the digest job (its worker "died"): same job id, same day.
    note = ScheduleNote(trigger="schedule", scheduled_for="09:00 Europe/Berlin")
    assert enqueue_digest(
        fresh.connection, ConversationRef(channel=CHANNEL), date(2026, 5, 4), note
    )
    fresh.drain()
    assert len(fresh.digests()) == 1


def test_attempt_that_died_after_posting_updates_its_message(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 3, 12))
    fresh.run_at(utc(2026, 5, 4, 7, 1))
    [posted] = fresh.digests()
    # Pretend the worker died after chat.postMessage but before marking the claim posted.
    claim_key = f"cw:digest:claim:{CHANNEL}:2026-05-04"
    fresh.connection.hdel(claim_key, "posted")
    note = ScheduleNote(trigger="schedule", scheduled_for="09:00 Europe/Berlin")
    owner = fresh.connection.hget(claim_key, "owner")
    assert owner == f"digest-{CHANNEL}-20260504".encode()
    updates_before = len(fresh.emulator.calls("chat.update"))
    assert enqueue_digest(
        fresh.connection, ConversationRef(channel=CHANNEL), date(2026, 5, 4), note
    )
    fresh.drain()
    assert [m["ts"] for m in fresh.digests()] == [posted["ts"]]
    assert len(fresh.emulator.calls("chat.update")) > updates_before
    assert DigestClaims(fresh.connection).claim(CHANNEL, "2026-05-04", "someone-else") is None


def test_missed_runs_are_reported_in_the_late_digest(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 1, 12))
    SubscriptionStore(fresh.connection).mark_day(CHANNEL, date(2026, 5, 2))
    fresh.run_at(utc(2026, 5, 5, 13, 30))  # the scheduler was down since May 2
    [digest] = fresh.digests()
    text = json.dumps(digest["blocks"])
    assert "This digest is late" in text and "6 h 30 min" in text
    assert "none was posted for 2026-05-03, 2026-05-04" in text
    stored = SubscriptionStore(fresh.connection).get(CHANNEL)
    assert stored is not None and stored.last_day == date(2026, 5, 5)


def test_second_day_lists_what_was_resolved(fresh: Rig) -> None:
    fresh.elasticache.create_replication_group(
        ReplicationGroupId="temp-cache",
        ReplicationGroupDescription="temporary",
        Engine="redis",
        EngineVersion="6.2",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
    )
    try:
        subscribe(fresh, utc(2026, 5, 3, 12))
        fresh.run_at(utc(2026, 5, 4, 7, 1))
    finally:
        fresh.elasticache.delete_replication_group(ReplicationGroupId="temp-cache")
    first_scan = HistoryStore(fresh.connection).digest_baseline(CHANNEL)
    assert first_scan is not None
    stored = HistoryStore(fresh.connection).get_scan(first_scan)
    assert stored is not None
    temp_keys = [k for k in stored.open_keys if k[4] == "temp-cache"]
    assert temp_keys
    fresh.run_at(utc(2026, 5, 5, 7, 1))
    second = fresh.digests()[-1]
    text = json.dumps(second["blocks"])
    assert f"Resolved ({len(temp_keys)})" in text and "temp-cache" in text
    assert "New since the last digest:* none" in text
    assert "Compared with the scan of 2026-05-04 07:01 UTC" in text


def test_failed_digest_is_reported_in_the_channel(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 3, 12))
    fresh.emulator.fail_next("chat.postMessage", status=200, error="not_in_channel", count=2)
    fresh.run_at(utc(2026, 5, 4, 7, 1))
    assert fresh.digests() == []
    [notice] = fresh.notices("could not be built")
    assert "2026-05-04" in json.dumps(notice) and "digest now" in json.dumps(notice)
    # The unposted claim was released, so asking again posts it.
    note = ScheduleNote(trigger="manual", request_id="again")
    assert enqueue_digest(
        fresh.connection, ConversationRef(channel=CHANNEL), date(2026, 5, 4), note
    )
    fresh.drain()
    assert len(fresh.digests()) == 1


def test_manual_digests_each_post_and_leave_the_schedule_alone(fresh: Rig) -> None:
    subscribe(fresh, utc(2026, 5, 3, 12))
    fresh.now[0] = utc(2026, 5, 4, 5)
    for request_id in ("first", "second"):
        note = ScheduleNote(trigger="manual", request_id=request_id)
        assert enqueue_digest(
            fresh.connection, ConversationRef(channel=CHANNEL), date(2026, 5, 4), note
        )
        fresh.drain()
    assert len(fresh.digests()) == 2
    fresh.run_at(utc(2026, 5, 4, 7, 1))
    daily = [m for m in fresh.digests() if "Daily ElastiCache digest" in json.dumps(m)]
    assert len(daily) == 1 and len(fresh.digests()) == 3


def test_digest_that_waited_for_a_worker_says_it_is_late(fresh: Rig) -> None:
    """Queued on time by the tick at 09:00 Berlin, but no worker ran it until 12:15."""
    subscribe(fresh, utc(2026, 5, 3, 12))
    note = ScheduleNote(
        trigger="schedule", scheduled_for="09:00 Europe/Berlin", scheduled_at=utc(2026, 5, 4, 7)
    )
    assert enqueue_digest(
        fresh.connection, ConversationRef(channel=CHANNEL), date(2026, 5, 4), note
    )
    fresh.now[0] = utc(2026, 5, 4, 10, 15)
    fresh.drain()
    [digest] = fresh.digests()
    assert "This digest is late" in json.dumps(digest["blocks"])
    assert "3 h 15 min" in json.dumps(digest["blocks"])


def test_pending_approvals_and_accepted_risks_ending_this_week(fresh: Rig) -> None:
    day = utc(2026, 5, 4, 7, 1)
    ApprovalStore(fresh.connection).create(
        ApprovalRequest(
            request_id="req00001",
            kind=RequestKind.FIX,
            requester="U_ENGINEER",
            created_at=day,
            expires_at=day + timedelta(hours=20),
            account="123456789012",
            region="us-east-1",
            resource_kind="replication_group",
            resource_id="orders-prod",
            change="turn on Multi-AZ",
            api_call="ModifyReplicationGroup",
        )
    )
    SuppressionStore(fresh.connection).put(
        AcceptedRisk(
            rule_id="CW-101",
            account="123456789012",
            region="us-east-1",
            resource_kind=ResourceKind.REPLICATION_GROUP,
            resource_id="orders-prod",
            reason="migration planned",
            requested_by="U_ENGINEER",
            accepted_by="U_SECURITY",
            accepted_at=day - timedelta(days=20),
            until=day + timedelta(days=3),
            request_id="req00000",
        )
    )
    subscribe(fresh, utc(2026, 5, 3, 12))
    fresh.run_at(day)
    [digest] = fresh.digests()
    text = json.dumps(digest["blocks"])
    assert "Pending approvals (1)" in text and "turn on Multi-AZ" in text
    assert "Accepted risks ending this week (1)" in text and "ends 2026-05-07" in text
    assert "CW-101` replication group `orders-prod" not in text  # suppressed, not failing
