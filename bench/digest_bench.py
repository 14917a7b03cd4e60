"""Digest benchmark: build time and Redis memory for 10,000 findings.

    .venv/bin/python -m bench.digest_bench [--findings 10000] [--scans 5] [--json]

Uses a real redis-server (sandbox.redis_server) so memory is what Redis reports
(MEMORY USAGE of every history key), not an estimate. Findings spread over 50 rules,
2 accounts, 2 regions and 5 severities; each later scan fixes 1% and adds 1% new.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from bot.slack.render.slack_digest import render_digest
from posture.base import ResourceKind, Severity
from posture.chart import render_trend_png
from posture.digest import DigestInputs, build_digest
from posture.findings import Finding, Status
from posture.history import daily_trend
from sandbox.redis_server import RedisServer
from workers.audit.history_codec import pack_ids
from workers.audit.history_store import HistoryStore, RecordedScan, ScanMeta

START = datetime(2026, 5, 1, 7, tzinfo=UTC)
SEVERITIES = list(Severity)


def make_findings(count: int, offset: int = 0) -> list[Finding]:
    findings = []
    for n in range(offset, offset + count):
        account = "111111111111" if n % 2 else "222222222222"
        region = "eu-west-1" if n % 4 < 2 else "us-east-1"
        resource = f"cache-{n // 50:05d}"
        findings.append(
            Finding(
                rule_id=f"CW-{100 + n % 50}",
                title=f"Check {n % 50}",
                aliases={},
                severity=SEVERITIES[n % 5],
                status=Status.FAIL,
                resource_kind=ResourceKind.REPLICATION_GROUP,
                resource_id=resource,
                resource_arn=f"arn:aws:elasticache:{region}:{account}:replicationgroup:{resource}",
                account=account,
                region=region,
                engine="redis",
                evidence="evidence text that the history does not store",
            )
        )
    return findings


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


_KEY_TABLES = (b"cw:hist:state", b"cw:hist:ids")


def history_bytes(connection: redis.Redis, *, tables: bool | None = None) -> int:
    """MEMORY USAGE of the history keys: all, only the per-finding tables, or the rest."""
    keys = list(connection.scan_iter("cw:hist:*", count=1000))
    if tables is not None:
        keys = [k for k in keys if (k in _KEY_TABLES) is tables]
    return sum(int(connection.memory_usage(k, samples=0) or 0) for k in keys)


@dataclass
class Numbers:
    findings: int
    first_record_seconds: float
    later_record_seconds: float
    build_digest_seconds: float
    render_seconds: float
    chart_seconds: float
    redis_bytes_first_scan: int
    redis_bytes_per_later_scan: int
    key_history_bytes_per_finding: int
    scan_hash_bytes: int
    scattered_open_set_bytes: int
    blocks: int
    message_chars: int


def _record(store: HistoryStore, count: int, scans: int) -> tuple[RecordedScan, dict[str, Any]]:
    """Record `scans` daily scans; returns the last one and the storage and time figures."""
    connection = store.connection
    meta = ScanMeta(scope_key="bench", scope_text="everything", channel="C1", user="U1")
    recorded, first_seconds = timed(lambda: store.record_scan(make_findings(count), meta, START))
    after_first = history_bytes(connection)
    scans_first = history_bytes(connection, tables=False)
    later_times = []
    for day in range(1, scans):
        findings = make_findings(count, offset=count * day // 100)  # 1% fixed, 1% new each day
        recorded, seconds = timed(
            lambda f=findings, d=day: store.record_scan(f, meta, START + timedelta(days=d))
        )
        later_times.append(seconds)
    scan_key = f"cw:hist:scan:{recorded.scan.scan_id}"
    figures = {
        "first_record_seconds": round(first_seconds, 3),
        "later_record_seconds": round(sum(later_times) / max(len(later_times), 1), 3),
        "redis_bytes_first_scan": after_first,
        "redis_bytes_per_later_scan": (history_bytes(connection, tables=False) - scans_first)
        // max(scans - 1, 1),
        "key_history_bytes_per_finding": history_bytes(connection, tables=True)
        // max(int(connection.hlen("cw:hist:state")), 1),
        "scan_hash_bytes": int(connection.memory_usage(scan_key, samples=0) or 0),
    }
    return recorded, figures


def _digest_figures(store: HistoryStore, recorded: RecordedScan, count: int) -> dict[str, Any]:
    now = recorded.scan.at
    previous = recorded.previous
    findings = make_findings(count, offset=count * (now - START).days // 100)
    inputs = DigestInputs(
        channel="C1",
        scope="everything",
        day=now.date(),
        timezone="UTC",
        now=now,
        findings=findings,
        observation=recorded.observation,
        states=recorded.states,
        baseline=previous.as_baseline() if previous else None,
    )
    digest, build_seconds = timed(lambda: build_digest(inputs, lambda rule: rule))
    (_text, blocks), render_seconds = timed(lambda: render_digest(digest))
    trend = daily_trend(store.trend("bench", START - timedelta(days=1)), now.date())
    _, chart_seconds = timed(lambda: render_trend_png(trend))
    return {
        "build_digest_seconds": round(build_seconds, 3),
        "render_seconds": round(render_seconds, 3),
        "chart_seconds": round(chart_seconds, 3),
        "blocks": len(blocks),
        "message_chars": len(json.dumps(blocks)),
    }


def run(count: int, scans: int) -> Numbers:
    with RedisServer() as server:
        store = HistoryStore(redis.Redis.from_url(server.url))
        recorded, figures = _record(store, count, scans)
        figures.update(_digest_figures(store, recorded, count))
    scattered = pack_ids(random.Random(8).sample(range(10 * count), count))
    return Numbers(findings=count, scattered_open_set_bytes=len(scattered), **figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digest_bench", description=__doc__)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--scans", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    numbers = run(args.findings, max(args.scans, 2))
    if args.json:
        print(json.dumps(asdict(numbers), indent=2))
        return 0
    n = numbers
    print(f"Digest benchmark, {n.findings} failing findings, real redis-server")
    print(f"  record first scan (interning keys)   {n.first_record_seconds:8.3f} s")
    print(f"  record a later scan (1% changed)     {n.later_record_seconds:8.3f} s")
    print(f"  build_digest                         {n.build_digest_seconds:8.3f} s")
    print(
        f"  render Block Kit                     {n.render_seconds:8.3f} s  ({n.blocks} blocks, {n.message_chars} chars)"
    )
    print(f"  render 30-day chart PNG              {n.chart_seconds:8.3f} s")
    print(f"  Redis after the first scan           {n.redis_bytes_first_scan:8d} bytes")
    print(f"  Redis per later scan (scan records)  {n.redis_bytes_per_later_scan:8d} bytes")
    print(f"  key history per distinct finding     {n.key_history_bytes_per_finding:8d} bytes")
    print(f"  MEMORY USAGE of one scan record      {n.scan_hash_bytes:8d} bytes")
    print(
        f"  worst case: open set, ids scattered  {n.scattered_open_set_bytes:8d} bytes (1 in 10 ids open)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
