"""Findings-thread rendering: wall time as an audit grows, against a small audit in the same run.

    .venv/bin/python -m bench render [--quick]

Builds the neutral thread (`posture.report.build_findings_thread`) and renders it to Block Kit
replies (`bot.slack.render.blocks.render_findings_thread`) for audits of increasing size. The
baseline is the smallest audit: `per_finding_ratio` is the time per finding at a size over
the time per finding at the baseline, so 1.0 means rendering scales linearly. (This replaced
a wall-time assertion in tests/unit/render/test_findings_render.py: timings belong here.)
"""

from __future__ import annotations

import time
from typing import Any

from bench.report import fmt_ratio, format_table, ratio, write_result
from bot.slack.render.blocks import render_findings_thread
from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status
from posture.report import build_findings_thread

FULL_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)
REPEATS = 5
PER_RESOURCE = 3
FIXABLE = frozenset({"CW-101", "CW-103"})
SEVERITIES = list(Severity)


def make_findings(count: int) -> list[Finding]:
    """Three findings per replication group, severities rotating, evidence of varying length."""
    findings = []
    for i in range(count):
        resource = f"orders-{i // PER_RESOURCE:05d}"
        findings.append(
            Finding(
                rule_id=f"CW-{101 + i % PER_RESOURCE}",
                title="Encryption in transit is turned off",
                aliases={},
                severity=SEVERITIES[(i // PER_RESOURCE) % len(SEVERITIES)],
                status=Status.FAIL,
                resource_kind=ResourceKind.REPLICATION_GROUP,
                resource_id=resource,
                resource_arn=f"arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:{resource}",
                account="123456789012",
                region="eu-west-1",
                engine="redis",
                evidence=f"finding number {i}: " + "detail " * (i % 40),
            )
        )
    return findings


def measure(count: int, repeats: int = REPEATS) -> dict[str, Any]:
    """Best of `repeats` (the least disturbed run) for one audit size."""
    findings = make_findings(count)
    best, replies = float("inf"), 0
    for _ in range(repeats):
        started = time.perf_counter()
        thread = build_findings_thread("run-42", findings, fixable_rules=FIXABLE)
        rendered = render_findings_thread(thread)
        best = min(best, time.perf_counter() - started)
        replies = len(rendered)
    return {"findings": count, "seconds": best, "replies": replies}


def add_ratios(rows: list[dict[str, Any]]) -> None:
    base = rows[0]
    base_per_finding = base["seconds"] / base["findings"]
    for row in rows:
        row["per_finding_ratio"] = ratio(row["seconds"] / row["findings"], base_per_finding)


def run(quick: bool = False) -> int:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    print(f"== render: findings thread for {', '.join(map(str, sizes))} findings ==")
    rows = [measure(count) for count in sizes]
    add_ratios(rows)
    table = [
        (r["findings"], r["replies"], r["seconds"], fmt_ratio(r["per_finding_ratio"])) for r in rows
    ]
    print(format_table(("findings", "replies", "best s", "per finding vs smallest"), table))
    path = write_result(
        "render", {"baseline_findings": sizes[0], "repeats": REPEATS, "sizes": rows}
    )
    print(f"results: {path}")
    return 0
