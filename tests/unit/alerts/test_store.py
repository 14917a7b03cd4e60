"""The alert store over fakeredis: event claims, rate slots and held alerts, deletions."""

from __future__ import annotations

import fakeredis

from commands.scope import Scope
from posture.conversations import ConversationRef, Platform
from workers.alerts.store import AlertStore


def _store() -> AlertStore:
    return AlertStore(fakeredis.FakeRedis(server=fakeredis.FakeServer()))


def test_an_event_is_claimed_once_busy_while_worked_on_and_done_after() -> None:
    store = _store()
    assert store.claim_event("e-1", 60) == "claimed"
    assert store.claim_event("e-1", 60) == "busy"
    store.finish_event("e-1", 3600)
    assert store.claim_event("e-1", 60) == "done"
    store.release_event("e-1")
    assert store.claim_event("e-1", 60) == "claimed"


def test_the_rate_limit_holds_the_overflow_and_schedules_one_rollup() -> None:
    store = _store()
    slots = [store.take_rate_slot("C1", 100, 3, 600) for _ in range(5)]
    assert slots == [True, True, True, False, False]
    assert store.take_rate_slot("C2", 100, 3, 600)  # per channel
    assert store.hold("C1", 100, "CW-101 on a", 600) is True
    assert store.hold("C1", 100, "CW-401 on b", 600) is False
    assert store.held("C1", 100) == ["CW-101 on a", "CW-401 on b"]


def test_a_deletion_is_reported_once_until_the_resource_comes_back() -> None:
    store = _store()
    assert store.claim_gone("1", "r", "replication_group", "x")
    assert not store.claim_gone("1", "r", "replication_group", "x")
    store.forget_gone("1", "r", [("replication_group", "x")])
    assert store.claim_gone("1", "r", "replication_group", "x")


def test_subscriptions_round_trip_and_an_unreadable_one_is_skipped() -> None:
    store = _store()
    store.subscribe(ConversationRef(channel="C1", workspace="T1"), Scope(regions=("eu-west-1",)))
    store.connection.hset("cw:alerts:subs", "C2", "not json")
    assert store.subscriptions() == {"C1": Scope(regions=("eu-west-1",))}
    assert store.conversation("C1") == ConversationRef(channel="C1", workspace="T1")
    assert store.unsubscribe("C1") and not store.unsubscribe("C1")
    assert store.conversation("C1") == ConversationRef(channel="C1")  # forgotten with it


def test_a_subscription_remembers_its_front_end_and_an_old_one_reads_as_slack() -> None:
    store = _store()
    teams = ConversationRef(platform=Platform.TEAMS, workspace="tenant", channel="a-chat-id")
    store.subscribe(teams.in_thread("ignored"), Scope())
    assert store.conversation("a-chat-id") == teams  # the top level, not a thread
    store.connection.hset("cw:alerts:subs", "C_OLD", Scope().model_dump_json())  # before refs
    assert store.conversation("C_OLD").platform is Platform.SLACK
