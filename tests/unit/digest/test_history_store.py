"""The history store over fakeredis (with Lua): three scans, baselines, trend, retention, codec."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import fakeredis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from posture.base import Severity
from posture.history import KeyHistory
from posture.messages import SeverityCounts
from tests.unit.digest.factories import at, failing, finding, key
from workers.audit.history_codec import (
    CorruptRecord,
    decode_counts,
    decode_state,
    encode_counts,
    encode_state,
    pack_ids,
    unpack_ids,
)
from workers.audit.history_store import HistoryStore, ScanMeta

META = ScanMeta(scope_key="scope-a", scope_text="everything", channel="C1", user="U1")


@pytest.fixture
def connection() -> Iterator[fakeredis.FakeRedis]:
    server = fakeredis.FakeServer()
    yield fakeredis.FakeRedis(server=server)


def test_three_recorded_scans_give_exact_deltas(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection)
    first = store.record_scan(failing("a", "b", "c"), META, at(0))
    second = store.record_scan(failing("b", "c", "d"), META, at(1))
    third = store.record_scan(failing("a", "c"), META, at(2))
    assert (len(first.delta.new), first.previous) == (3, None)
    assert (second.delta.new, second.delta.resolved) == ((key("d"),), (key("a"),))
    assert third.delta.reopened == (key("a"),)
    assert set(third.delta.resolved) == {key("b"), key("d")}
    assert third.delta.still_open == (key("c"),)
    states = store.states([key("a"), key("b"), key("c")])
    assert states[key("a")].reopen_count == 1 and states[key("a")].opened_at == at(2)
    assert states[key("b")].resolved_at == at(2)
    assert states[key("c")].first_seen == at(0) and states[key("c")].last_seen == at(2)


def test_scopes_do_not_resolve_each_other(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection)
    store.record_scan(failing("a", "b"), META, at(0))
    narrow = ScanMeta(scope_key="scope-b", scope_text="b")
    store.record_scan(failing("b"), narrow, at(1))  # a narrower scan says nothing about "a"
    again = store.record_scan(failing("a", "b"), META, at(2))
    assert again.delta.still_open == (key("a"), key("b"))
    assert store.states([key("a")])[key("a")].is_open


def test_stored_scan_round_trips_and_serves_as_baseline(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection)
    findings = [
        *failing("a"),
        finding("z", severity=Severity.CRITICAL),
        finding("p", status="pass"),
    ]  # type: ignore[arg-type]
    recorded = store.record_scan(findings, META, at(0))
    loaded = store.get_scan(recorded.scan.scan_id)
    assert loaded is not None
    assert loaded.open_keys == {key("a"), key("z")}
    assert loaded.failing == SeverityCounts(critical=1, high=1)
    assert loaded.passing == SeverityCounts(high=1)
    assert loaded.meta == META and loaded.at == at(0)
    assert store.latest_scan("scope-a") == loaded
    assert loaded.as_baseline().scan.open_keys == loaded.open_keys


def test_trend_recent_scans_and_digest_baseline(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection)
    ids = [store.record_scan(failing(*"abc"[: n + 1]), META, at(n)).scan.scan_id for n in range(3)]
    trend = store.trend("scope-a", at(1) - timedelta(minutes=1))
    assert [counts.high for _, counts in trend] == [2, 3]
    assert [s.scan_id for s in store.recent_scans(2, user="U1")] == [ids[2], ids[1]]
    assert store.digest_baseline("C1") is None
    store.set_digest_baseline("C1", ids[0])
    assert store.digest_baseline("C1") == ids[0]


def test_retention_prunes_old_scans_and_stale_keys(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection, retention_days=10)
    old = store.record_scan(failing("old"), META, at(0)).scan.scan_id
    store.record_scan(failing("new"), META, at(5))
    removed = store.prune(at(12))
    assert removed == 2  # the old scan and the key last seen in it
    assert store.get_scan(old) is None
    assert store.states([key("old")]) == {}
    assert set(store.states([key("new")])) == {key("new")}
    assert [s.meta.scope_key for s in store.recent_scans()] == ["scope-a"]


def test_pruning_runs_at_most_daily_from_record_scan(connection: fakeredis.FakeRedis) -> None:
    store = HistoryStore(connection, retention_days=1)
    store.record_scan(failing("a"), META, at(0))  # first record prunes (nothing to do yet)
    store.record_scan(failing("b"), META, at(5))  # within the daily guard: "a" stays
    assert store.states([key("a")])


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=300))
def test_packed_ids_round_trip_sorted_and_unique(ids: list[int]) -> None:
    assert unpack_ids(pack_ids(ids)) == sorted(set(ids))


def test_ten_thousand_ids_pack_small() -> None:
    assert len(pack_ids(range(1, 10_001))) < 200


def test_state_and_counts_round_trip() -> None:
    state = KeyHistory(
        severity=Severity.CRITICAL,
        first_seen=at(0),
        last_seen=at(3),
        opened_at=at(2),
        resolved_at=at(4),
        reopen_count=2,
    )
    assert decode_state(encode_state(key("a|b"), state)) == (key("a|b"), state)
    counts = SeverityCounts(critical=1, high=2, medium=3, low=4, info=5)
    assert decode_counts(encode_counts(counts)) == counts


@pytest.mark.parametrize("raw", ["", "x|1|2|3||0|k", "h|1|2", "h|a|2|3||0|k"])
def test_corrupt_state_is_reported(raw: str) -> None:
    with pytest.raises(CorruptRecord):
        decode_state(raw)


def test_corrupt_packed_ids_are_reported() -> None:
    with pytest.raises(CorruptRecord):
        unpack_ids(b"not zlib")
