"""The benchmark arithmetic: percentiles, ratios, tables, page counts, request addressing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ack_latency import CHANNELS, SCOPE_REGIONS, add_ratios, unique_scopes
from bench.report import fmt_ratio, format_table, percentile, ratio, write_result
from bench.scan_cost import add_ratios as add_scan_ratios
from bench.scan_cost import group_pages


def test_percentile_is_nearest_rank_and_never_interpolates() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([7.0], 0.99) == 7.0


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_percentile_rejects_fractions_outside_0_1(bad: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], bad)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_ratio_against_a_zero_baseline_is_none() -> None:
    assert ratio(6.0, 3.0) == 2.0
    assert ratio(1.0, 0.0) is None
    assert fmt_ratio(None) == "n/a"
    assert fmt_ratio(2.0) == "2.00x"


def test_table_aligns_columns() -> None:
    table = format_table(["name", "n"], [["alpha", 1], ["b", 12.5]])
    lines = table.splitlines()
    assert lines[0] == "name      n"
    assert lines[1] == "-----  ----"
    assert lines[2] == "alpha     1"
    assert lines[3] == "b      12.5"


def test_results_file_carries_the_machine(tmp_path: Path) -> None:
    path = write_result("demo", {"value": 1}, directory=tmp_path)
    saved = json.loads(path.read_text())
    assert saved["value"] == 1
    assert saved["machine"]["cpus"] >= 1
    assert len(saved["machine"]["load_average_1_5_15"]) == 3


def test_group_pages_counts_one_page_per_hundred_and_at_least_one_per_region() -> None:
    assert group_pages({"us-east-1": 4, "eu-west-1": 3, "ap-southeast-2": 3}) == 3
    assert group_pages({"us-east-1": 334, "eu-west-1": 333, "ap-southeast-2": 333}) == 12
    assert group_pages({"us-east-1": 100}) == 1
    assert group_pages({"us-east-1": 101}) == 2
    assert group_pages({"us-east-1": 0}) == 1


def test_scan_ratios_are_against_the_smallest_fleet() -> None:
    rows = [
        {"groups": 10, "api_calls": 57, "group_pages": 3, "wall_seconds": 2.0, "cpu_seconds": 1.0},
        {
            "groups": 1010,
            "api_calls": 157,
            "group_pages": 12,
            "wall_seconds": 8.0,
            "cpu_seconds": 3.0,
        },
    ]
    add_scan_ratios(rows)
    assert rows[0]["time_ratio"] == 1.0 and rows[0]["extra_calls_per_100_groups"] is None
    assert rows[1]["time_ratio"] == 4.0
    assert rows[1]["cpu_ratio"] == 3.0
    assert rows[1]["calls_ratio"] == pytest.approx(157 / 57)
    assert rows[1]["extra_calls_per_100_groups"] == pytest.approx(10.0)
    assert rows[1]["calls_per_page"] == pytest.approx(157 / 12)
    assert rows[1]["calls_per_group"] == pytest.approx(157 / 1010)


def test_unique_scopes_never_repeat_a_channel_and_scope_in_2000_requests() -> None:
    address = unique_scopes()
    pairs = [address(i) for i in range(2000)]
    assert len(set(pairs)) == 2000
    assert {channel for channel, _ in pairs} == {f"C{i:04d}" for i in range(CHANNELS)}
    assert {text for _, text in pairs} == {f"region={r}" for r in SCOPE_REGIONS}


def test_latency_ratios_pair_runs_of_the_same_concurrency() -> None:
    summaries = [
        {"target": "bare", "concurrency": 50, "p50_ms": 10.0, "p99_ms": 20.0},
        {"target": "bot", "concurrency": 50, "p50_ms": 30.0, "p99_ms": 80.0},
        {"target": "bare", "concurrency": 1, "p50_ms": 2.0, "p99_ms": 4.0},
        {"target": "bot", "concurrency": 1, "p50_ms": 3.0, "p99_ms": None},
    ]
    add_ratios(summaries)
    assert summaries[1]["p50_ratio_vs_bare"] == 3.0
    assert summaries[1]["p99_ratio_vs_bare"] == 4.0
    assert summaries[3]["p50_ratio_vs_bare"] == 1.5
    assert summaries[3]["p99_ratio_vs_bare"] is None
