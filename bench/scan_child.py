"""One `cachewarden audit` collection in a fresh process, measured from the inside.

Run by `bench.scan_cost` as `python -m bench.scan_child --region R ... [--trace-memory]`
with AWS_ENDPOINT_URL pointing at the fake. Prints one JSON object on stdout. A fresh
process per measurement makes `ru_maxrss` (a high-water mark) mean this scan alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any


def peak_rss_kib() -> int:
    """This process's resident high-water mark (VmHWM).

    Not `ru_maxrss`: Linux carries that across exec, so a child forked from a big
    parent would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(regions: list[str], trace_memory: bool) -> dict[str, Any]:
    from bot.cli.audit import collect_findings
    from commands.scope import parse_scope
    from workers.platform.config import load_config

    scope = parse_scope([f"region={region}" for region in regions])
    config = load_config(None)
    rss_before = peak_rss_kib()
    if trace_memory:
        tracemalloc.start()
    cpu_before, started = cpu_seconds(), time.perf_counter()
    findings, result = collect_findings(scope, config)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    traced_peak = tracemalloc.get_traced_memory()[1] if trace_memory else None
    tracemalloc.stop()
    return {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "api_calls": result.api_calls,
        "api_attempts": result.api_attempts,
        "api_calls_by_operation": result.api_calls_by_operation,
        "findings": len(findings),
        "findings_by_status": dict(Counter(str(f.status) for f in findings)),
        "replication_groups": sum(len(i.replication_groups) for i in result.inventories),
        "cache_clusters": sum(len(i.cache_clusters) for i in result.inventories),
        "serverless_caches": sum(len(i.serverless_caches) for i in result.inventories),
        "errors": [e.model_dump(mode="json") for e in result.errors],
        "rss_before_kib": rss_before,
        "rss_peak_kib": peak_rss_kib(),
        "tracemalloc_peak_bytes": traced_peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scan_child")
    parser.add_argument("--region", action="append", required=True)
    parser.add_argument("--trace-memory", action="store_true")
    args = parser.parse_args(argv)
    json.dump(measure(args.region, args.trace_memory), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
