"""The render benchmark measures a real render and reports time per finding against its baseline."""

from __future__ import annotations

import pytest

from bench.render_bench import add_ratios, make_findings, measure


def test_measure_renders_every_finding_into_replies() -> None:
    row = measure(30, repeats=1)
    assert row["findings"] == 30 and row["replies"] >= 1 and row["seconds"] > 0
    assert len({f.resource_id for f in make_findings(30)}) == 10


def test_ratios_are_per_finding_against_the_smallest_size() -> None:
    rows = [
        {"findings": 100, "seconds": 0.01},
        {"findings": 1000, "seconds": 0.2},
    ]
    add_ratios(rows)
    assert rows[0]["per_finding_ratio"] == 1.0
    assert rows[1]["per_finding_ratio"] == pytest.approx(2.0)
