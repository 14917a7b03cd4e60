"""bench.thread_size: the fleet it renders, and the new thread against the frozen old numbers."""

from __future__ import annotations

import json

from bench.thread_size import FROZEN, Size, fleet, measure, render_after


def test_the_fleet_has_exactly_the_findings_asked_for() -> None:
    findings = fleet(100)
    assert len(findings) == 100 and len({f.key for f in findings}) == 100


def test_the_new_thread_is_smaller_and_names_every_resource() -> None:
    before = {int(k): Size(**v) for k, v in json.loads(FROZEN.read_text())["sizes"].items()}
    for count in (100, 1000):
        findings = fleet(count)
        after = measure(findings, render_after(findings))
        old = before[count]
        assert after.blocks < old.blocks and after.buttons + after.menus < old.buttons + old.menus
        assert after.messages <= old.messages
        assert after.resources_named == after.resources_total
