"""Scan cost vs fleet size: 10, 100 and 1000 replication groups over 3 regions.

For each size the fake AWS (its own process) is wiped and reseeded, then the
`cachewarden audit` collection runs twice in a fresh child process: once for wall
time, CPU time, API calls and peak RSS, once under tracemalloc for the Python heap
peak (tracing slows it, so its time is not reported). The 10-group run is the baseline
for the ratios (after one thrown-away warm-up scan). `calls/page` divides the calls by the pages AWS needs to list the
groups (100 per DescribeReplicationGroups page), which stays flat when the cost
follows pages rather than resources.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from bench.fake_aws_process import FakeAwsProcess
from bench.fleet_runs import REGIONS, SeededFleet, ToolRun, run_tool, seed
from bench.report import fmt_ratio, format_table, ratio, write_result

FULL_SIZES, QUICK_SIZES = (10, 100, 1000), (10, 40)
FULL_REPEATS, QUICK_REPEATS = 2, 1  # timed scans per size; the fastest is kept
GROUPS_PER_PAGE = 100  # DescribeReplicationGroups MaxRecords default
MIB = 1024 * 1024


def child_command(regions: tuple[str, ...], trace_memory: bool) -> list[str]:
    region_args = [arg for region in regions for arg in ("--region", region)]
    return [
        sys.executable, "-m", "bench.scan_child", *region_args,
        *(["--trace-memory"] if trace_memory else []),
    ]  # fmt: skip


def child_result(run: ToolRun) -> dict[str, Any]:
    if run.returncode != 0:
        raise RuntimeError(f"scan child exited {run.returncode}: {run.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def group_pages(groups_per_region: dict[str, int]) -> int:
    """DescribeReplicationGroups pages the fleet needs: at least one per region."""
    return sum(max(1, math.ceil(n / GROUPS_PER_PAGE)) for n in groups_per_region.values())


def measure_size(
    fake: FakeAwsProcess, groups: int, *, repeats: int = 1, warm_up: bool = False
) -> dict[str, Any]:
    """Seed `groups`, then `repeats` timed scans and one traced scan, each in a fresh process.

    The fastest timed scan is kept: on a shared machine the slower ones measure the
    neighbours. `warm_up` first runs one scan that is thrown away: the fake builds each
    service's backend on its first request, which must not be charged to the baseline.
    """
    fleet: SeededFleet = seed(fake, groups)
    if warm_up:
        child_result(run_tool(fake, child_command(REGIONS, trace_memory=False)))
    attempts = [run_tool(fake, child_command(REGIONS, trace_memory=False)) for _ in range(repeats)]
    measured = [(child_result(run), run) for run in attempts]
    timed, timed_run = min(measured, key=lambda pair: float(pair[0]["wall_seconds"]))
    traced = child_result(run_tool(fake, child_command(REGIONS, trace_memory=True)))
    per_region = fleet.groups_per_region()
    return {
        "groups": groups,
        "resources_seeded": fleet.resource_count(),
        "groups_per_region": per_region,
        "group_pages": group_pages(per_region),
        "seed_seconds": fleet.seconds,
        "wall_samples": [result["wall_seconds"] for result, _ in measured],
        "process_seconds": timed_run.seconds,
        "fake_server_seconds": sum(e["seconds"] for e in timed_run.server.values()),
        "fake_requests_by_operation": {
            k: int(v["requests"]) for k, v in sorted(timed_run.server.items())
        },
        **timed,
        "rss_growth_kib": timed["rss_peak_kib"] - timed["rss_before_kib"],
        "tracemalloc_peak_bytes": traced["tracemalloc_peak_bytes"],
    }


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """Ratios and marginal cost against the first (smallest) size, measured in this run."""
    base = rows[0]
    for row in rows:
        row["calls_per_group"] = row["api_calls"] / row["groups"]
        row["calls_per_page"] = row["api_calls"] / row["group_pages"]
        row["time_ratio"] = ratio(row["wall_seconds"], base["wall_seconds"])
        row["cpu_ratio"] = ratio(row["cpu_seconds"], base["cpu_seconds"])
        row["calls_ratio"] = ratio(row["api_calls"], base["api_calls"])
        extra_groups = row["groups"] - base["groups"]
        row["extra_calls_per_100_groups"] = (
            None
            if extra_groups == 0
            else 100 * (row["api_calls"] - base["api_calls"]) / extra_groups
        )


def print_summary(rows: list[dict[str, Any]]) -> None:
    headers = [
        "groups", "wall s", "cpu s", "calls", "calls/group", "pages", "calls/page",
        "+calls/100g", "time ratio", "cpu ratio", "calls ratio", "rss +MiB", "heap peak MiB", "findings", "errors",
    ]  # fmt: skip
    table = [
        [
            r["groups"], r["wall_seconds"], r["cpu_seconds"], r["api_calls"],
            r["calls_per_group"], r["group_pages"], r["calls_per_page"],
            "-" if r["extra_calls_per_100_groups"] is None else f"{r['extra_calls_per_100_groups']:.1f}",
            fmt_ratio(r["time_ratio"]), fmt_ratio(r["cpu_ratio"]), fmt_ratio(r["calls_ratio"]),
            r["rss_growth_kib"] / 1024,
            r["tracemalloc_peak_bytes"] / MIB, r["findings"], len(r["errors"]),
        ]
        for r in rows
    ]  # fmt: skip
    print(format_table(headers, table))


def print_operations(rows: list[dict[str, Any]]) -> None:
    """API calls per operation at each size: the ones that grow are the paged listings."""
    operations = sorted({op for r in rows for op in r["api_calls_by_operation"]})
    table = [[op, *(r["api_calls_by_operation"].get(op, 0) for r in rows)] for op in operations]
    print(format_table(["operation", *(f"{r['groups']} groups" for r in rows)], table))


def run(quick: bool = False) -> int:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    repeats = QUICK_REPEATS if quick else FULL_REPEATS
    print(
        f"== scan_cost: {', '.join(map(str, sizes))} replication groups over {len(REGIONS)} regions =="
    )
    with FakeAwsProcess() as fake:
        rows = []
        for groups in sizes:
            rows.append(measure_size(fake, groups, repeats=repeats, warm_up=groups == sizes[0]))
            print(
                f"  {groups} groups: seeded in {rows[-1]['seed_seconds']:.1f}s, scanned in {rows[-1]['wall_seconds']:.1f}s"
            )
    add_ratios(rows)
    print_summary(rows)
    print()
    print_operations(rows)
    path = write_result(
        "scan_cost", {"regions": list(REGIONS), "baseline_groups": sizes[0], "sizes": rows}
    )
    print(f"results: {path}")
    return 0 if all(not r["errors"] for r in rows) else 1
