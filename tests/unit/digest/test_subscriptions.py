"""When a subscription is due, in its own time zone; the store; the subscribe command words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import fakeredis
import pytest

from commands.errors import UsageError
from commands.requests import (
    DigestNowRequest,
    SubscribeRequest,
    SubscriptionsRequest,
    UnsubscribeRequest,
    parse_command,
)
from commands.scope import Scope
from workers.digest.subscriptions import (
    Subscription,
    SubscriptionStore,
    due_run,
    next_run,
    scheduled_at,
)

BERLIN = "Europe/Berlin"


def sub(
    created: datetime, *, at: str = "09:00", tz: str = BERLIN, last: date | None = None
) -> Subscription:
    return Subscription(channel="C1", at=at, timezone=tz, created_at=created, last_day=last)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_run_time_is_local_to_the_subscription() -> None:
    subscription = sub(utc(2026, 5, 1))
    assert scheduled_at(subscription, date(2026, 5, 4)) == utc(2026, 5, 4, 7)  # CEST
    assert scheduled_at(subscription, date(2026, 1, 5)) == utc(2026, 1, 5, 8)  # CET


def test_due_once_at_the_local_time_then_not_again_that_day() -> None:
    subscription = sub(utc(2026, 5, 3, 12))
    assert due_run(subscription, utc(2026, 5, 4, 6, 59)) is None
    due = due_run(subscription, utc(2026, 5, 4, 7, 0))
    assert due is not None and due.day == date(2026, 5, 4) and due.late_minutes == 0
    assert due.missed_days == ()
    done = subscription.model_copy(update={"last_day": due.day})
    assert due_run(done, utc(2026, 5, 4, 7, 1)) is None
    assert due_run(done, utc(2026, 5, 4, 23, 59)) is None
    assert due_run(done, utc(2026, 5, 5, 7, 0)) is not None


def test_subscribing_during_the_minute_counts_for_today_after_it_does_not() -> None:
    assert due_run(sub(utc(2026, 5, 4, 7, 0, 40)), utc(2026, 5, 4, 7, 0, 41)) is not None
    later = sub(utc(2026, 5, 4, 7, 1, 0))
    assert due_run(later, utc(2026, 5, 4, 7, 2)) is None
    assert next_run(later, utc(2026, 5, 4, 7, 2)) == utc(2026, 5, 5, 7)


def test_late_run_reports_lateness_and_missed_days() -> None:
    subscription = sub(utc(2026, 5, 1, 12), last=date(2026, 5, 2))
    due = due_run(subscription, utc(2026, 5, 5, 13, 30))
    assert due is not None
    assert due.day == date(2026, 5, 5)
    assert due.late_minutes == 6 * 60 + 30
    assert due.missed_days == (date(2026, 5, 3), date(2026, 5, 4))


def test_never_run_subscription_counts_missed_days_from_its_creation() -> None:
    due = due_run(sub(utc(2026, 5, 1, 12)), utc(2026, 5, 4, 8))
    assert due is not None and due.missed_days == (date(2026, 5, 2), date(2026, 5, 3))


def test_time_zone_day_boundary() -> None:
    """07:00 in Tokyo is 22:00 UTC the evening before: the digest is for the Tokyo date."""
    tokyo = sub(utc(2026, 1, 1), at="07:00", tz="Asia/Tokyo")
    due = due_run(tokyo, utc(2026, 1, 4, 22, 0))  # 07:00 on Jan 5 in Tokyo
    assert due is not None and due.day == date(2026, 1, 5)


def test_dst_gap_runs_an_hour_later_and_only_once() -> None:
    subscription = sub(utc(2026, 3, 1), at="02:30", last=date(2026, 3, 28))
    # 2026-03-29: clocks jump from 02:00 to 03:00 in Berlin; 02:30 does not exist.
    assert due_run(subscription, utc(2026, 3, 29, 0, 59)) is None
    due = due_run(subscription, utc(2026, 3, 29, 1, 30))
    assert due is not None and due.day == date(2026, 3, 29)


@pytest.fixture
def store() -> SubscriptionStore:
    return SubscriptionStore(fakeredis.FakeRedis(server=fakeredis.FakeServer()))


def test_store_subscribe_replace_unsubscribe(store: SubscriptionStore) -> None:
    first = sub(utc(2026, 5, 1))
    assert store.subscribe(first) is None
    assert store.get("C1") == first
    assert store.mark_day("C1", date(2026, 5, 2))
    replacement = first.model_copy(update={"at": "10:00"})
    assert store.subscribe(replacement) == first.model_copy(update={"last_day": date(2026, 5, 2)})
    assert store.get("C1") == replacement  # a new schedule starts without a last day
    assert [s.channel for s in store.all()] == ["C1"]
    assert store.unsubscribe("C1") == replacement
    assert store.get("C1") is None and store.unsubscribe("C1") is None


def test_last_day_only_moves_forward(store: SubscriptionStore) -> None:
    store.subscribe(sub(utc(2026, 5, 1)))
    assert store.mark_day("C1", date(2026, 5, 3))
    assert not store.mark_day("C1", date(2026, 5, 3))
    assert not store.mark_day("C1", date(2026, 5, 2))
    got = store.get("C1")
    assert got is not None and got.last_day == date(2026, 5, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("subscribe daily 09:00", SubscribeRequest(at="09:00", scope=Scope())),
        (
            "subscribe daily 9:05 tz=Europe/Berlin",
            SubscribeRequest(at="09:05", timezone=BERLIN, scope=Scope()),
        ),
        (
            "SUBSCRIBE daily 23:59 region=eu-west-1 tz=UTC orders-prod",
            SubscribeRequest(
                at="23:59",
                timezone="UTC",
                scope=Scope(resource_ids=("orders-prod",), regions=("eu-west-1",)),
            ),
        ),
        ("unsubscribe", UnsubscribeRequest()),
        ("subscriptions", SubscriptionsRequest()),
        ("digest now", DigestNowRequest()),
        ("digest", DigestNowRequest()),
        ("digest now engine=valkey", DigestNowRequest(scope=Scope(engines=("valkey",)))),
    ],
)
def test_subscription_words_parse(text: str, expected: object) -> None:
    assert parse_command("/cache-audit", text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("subscribe", "Say when"),
        ("subscribe weekly 09:00", "Say when"),
        ("subscribe daily 25:00", "not a time of day"),
        ("subscribe daily 09:00 tz=Mars/Base", "not a time zone"),
        ("subscribe daily 09:00 tz=../../etc/passwd", "not a time zone"),
        ("subscribe daily 09:00 tz=UTC tz=Europe/Berlin", "one tz="),
        ("subscribe daily 09:00 region=mars", "not an AWS region"),
        ("unsubscribe now", "takes no other words"),
        ("digest now region=mars", "not an AWS region"),
    ],
)
def test_bad_subscription_words_get_usage(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_command("/cache-audit", text)
    assert reason in caught.value.message
    assert "subscribe daily" in caught.value.usage
