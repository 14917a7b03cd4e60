"""Pure history: deltas across scans, key histories, score and the daily trend."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posture.base import Severity
from posture.findings import Status
from posture.history import (
    FindingKey,
    KeyHistory,
    PreviousScan,
    ScanDelta,
    advance,
    classify,
    daily_trend,
    key_text,
    observe,
    parse_key_text,
    posture_score,
)
from posture.messages import SeverityCounts
from tests.unit.digest.factories import ACCOUNT, at, failing, finding, key, scan_error


def run_scans(
    scans: list[list], start_day: int = 0
) -> tuple[list[ScanDelta], Mapping[FindingKey, KeyHistory]]:
    """Fold scans (one per day) through classify and advance, as the store does."""
    states: dict[FindingKey, KeyHistory] = {}
    previous: PreviousScan | None = None
    deltas = []
    for day, findings in enumerate(scans, start=start_day):
        observation = observe(findings, at(days=day))
        first_seen = {k: s.first_seen for k, s in states.items()}
        delta = classify(previous, observation, first_seen)
        states.update(advance(states, observation, delta).updated)
        previous = PreviousScan(at=observation.at, open_keys=delta.open_keys)
        deltas.append(delta)
    return deltas, states


def test_three_scans_new_resolved_reopened_exact_counts() -> None:
    scans = [
        failing("a", "b", "c", "d"),  # day 0: four failing
        failing("b", "c", "e", "f", "g"),  # day 1: a, d fixed; e, f, g new
        failing("a", "c", "f", "h"),  # day 2: a back; b, e, g fixed; h new
    ]
    deltas, _states = run_scans(scans)
    counts = [
        (len(d.new), len(d.resolved), len(d.reopened), len(d.still_open), len(d.carried))
        for d in deltas
    ]
    assert counts == [(4, 0, 0, 0, 0), (3, 2, 0, 2, 0), (1, 3, 1, 2, 0)]
    third = deltas[2]
    assert third.reopened == (key("a"),)
    assert third.new == (key("h"),)
    assert set(third.resolved) == {key("b"), key("e"), key("g")}
    assert set(third.still_open) == {key("c"), key("f")}
    assert third.open_keys == {key("a"), key("c"), key("f"), key("h")}


def test_key_histories_after_three_scans() -> None:
    _, states = run_scans([failing("a", "c"), failing("c"), failing("a", "c")])
    a, c = states[key("a")], states[key("c")]
    assert (a.first_seen, a.opened_at, a.last_seen) == (at(0), at(2), at(2))
    assert a.reopen_count == 1 and a.is_open
    assert (c.first_seen, c.opened_at, c.last_seen) == (at(0), at(0), at(2))
    assert c.open_days(at(days=9, hours=3)) == 9


def test_resolved_key_is_closed_until_seen_again() -> None:
    _, states = run_scans([failing("a"), []])
    assert states[key("a")].resolved_at == at(1)
    assert not states[key("a")].is_open


def test_unreachable_part_carries_its_findings_instead_of_resolving_them() -> None:
    other = finding("x", region="us-east-1")
    deltas, states = run_scans([[*failing("a"), other], [scan_error(region="eu-west-1")]])
    second = deltas[1]
    assert second.carried == (key("a"),)
    assert second.resolved == (("CW-101", ACCOUNT, "us-east-1", "replication_group", "x"),)
    assert key("a") in second.open_keys and states[key("a")].is_open


def test_unreachable_account_blocks_all_its_regions() -> None:
    deltas, _ = run_scans([failing("a"), [scan_error(region="")]])
    assert deltas[1].carried == (key("a"),) and deltas[1].resolved == ()


def test_errored_check_is_not_resolved() -> None:
    deltas, _ = run_scans([failing("a"), [finding("a", status=Status.ERROR)]])
    assert deltas[1].carried == (key("a"),)


def test_an_accepted_risk_is_not_resolved() -> None:
    """Issue 13: a finding whose risk was accepted still fails; the digest must not call it fixed."""
    deltas, states = run_scans(
        [failing("a", "b"), [*failing("b"), finding("a", status=Status.SUPPRESSED)]]
    )
    assert deltas[1].resolved == ()
    assert key("a") not in deltas[1].open_keys
    assert states[key("a")].resolved_at is None


def test_seen_before_a_gap_counts_as_reopened_not_new() -> None:
    """A key first seen before the previous scan but not open in it was fixed in between."""
    first_seen = {key("a"): at(0)}
    previous = PreviousScan(at=at(5), open_keys=frozenset())
    delta = classify(previous, observe(failing("a", "b"), at(6)), first_seen)
    assert delta.reopened == (key("a"),) and delta.new == (key("b"),)


def test_first_scan_has_only_new() -> None:
    delta = classify(None, observe(failing("a", "b"), at(0)), {})
    assert len(delta.new) == 2 and not delta.resolved and not delta.reopened


def test_observe_counts_passing_by_severity_and_ignores_duplicates() -> None:
    findings = [
        *failing("a", "a"),
        finding("b", status=Status.PASS, severity=Severity.CRITICAL),
        finding("c", status=Status.PASS, severity=Severity.LOW),
        finding("d", status=Status.NOT_APPLICABLE),
    ]
    observation = observe(findings, at(0))
    assert len(observation.failing) == 1
    assert observation.passing == SeverityCounts(critical=1, low=1)
    assert observation.failing_counts == SeverityCounts(high=1)


@pytest.mark.parametrize(
    ("failing_counts", "passing_counts", "expected"),
    [
        (SeverityCounts(), SeverityCounts(), None),
        (SeverityCounts(), SeverityCounts(high=3), 100),
        (SeverityCounts(critical=1), SeverityCounts(), 0),
        (SeverityCounts(critical=1), SeverityCounts(critical=1), 50),
        (SeverityCounts(low=5), SeverityCounts(critical=1, high=1), 75),  # 15 / (15 + 5)
        (SeverityCounts(info=4), SeverityCounts(), 100),  # info weighs nothing
    ],
)
def test_posture_score(
    failing_counts: SeverityCounts, passing_counts: SeverityCounts, expected: int | None
) -> None:
    assert posture_score(failing_counts, passing_counts) == expected


def test_daily_trend_takes_last_scan_per_day_and_leaves_gaps() -> None:
    scans = [
        (at(0, hours=1), SeverityCounts(high=1)),
        (at(0, hours=5), SeverityCounts(high=2)),
        (at(2), SeverityCounts(low=7)),
        (at(-40), SeverityCounts(low=9)),  # outside the window
    ]
    points = daily_trend(scans, date(2026, 5, 3), days=4)
    assert [p.day for p in points] == [date(2026, 4, 30), *(date(2026, 5, d) for d in (1, 2, 3))]
    assert [p.failing for p in points] == [
        None,
        SeverityCounts(high=2),
        None,
        SeverityCounts(low=7),
    ]


@given(st.tuples(*(st.text(min_size=0, max_size=12).filter(lambda t: "\x1f" not in t),) * 5))
def test_key_text_round_trips(parts: tuple[str, str, str, str, str]) -> None:
    assert parse_key_text(key_text(parts)) == parts
