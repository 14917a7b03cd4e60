"""How fast the bot acknowledges `/cache-audit`, beside a Bolt app that only acks.

Both serve HTTP on 127.0.0.1 through waitress with the same settings; both get the same
signed requests from 50 client threads (urllib, a new connection per request, as Slack
does). The bot is the real stack (sandbox.stack: redis-server, waitress web) with no RQ
worker, so enqueued audits wait and nothing else competes for the CPU. Two bot runs:
every request a different channel and scope (each one enqueues a new job), and every
request the same channel and scope (all but the first collapse into the queued job).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.fake_aws_process import REPO_ROOT
from bench.report import fmt_ratio, format_table, percentile, ratio, write_result

FULL_REQUESTS, QUICK_REQUESTS = 2000, 200
CONCURRENCY = 50
SERIAL_REQUESTS = 100  # one client at a time: the latency without queueing
WARMUP_REQUESTS = 50
CHANNELS = 500
SCOPE_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
USER = "U_ENGINEER"
COMMAND = "/cache-audit"

# request index -> (channel, command text)
Addressing = Callable[[int], tuple[str, str]]


def unique_scopes(prefix: str = "C") -> Addressing:
    """Channel i % 500 and a region that changes every 500 requests: no two alike."""

    def address(index: int) -> tuple[str, str]:
        region = SCOPE_REGIONS[(index // CHANNELS) % len(SCOPE_REGIONS)]
        return f"{prefix}{index % CHANNELS:04d}", f"region={region}"

    return address


def one_scope(index: int) -> tuple[str, str]:
    return "C_BENCH_SAME", "region=us-east-1"


@dataclass(frozen=True)
class Sample:
    status: int
    seconds: float
    body: str


@dataclass(frozen=True)
class LoadRun:
    name: str
    target: str  # "bare" or "bot"
    concurrency: int
    samples: list[Sample]
    wall_seconds: float

    def latencies(self) -> list[float]:
        return [s.seconds for s in self.samples if s.status == 200]

    def summary(self) -> dict[str, Any]:
        ok = self.latencies()
        return {
            "name": self.name,
            "target": self.target,
            "concurrency": self.concurrency,
            "requests": len(self.samples),
            "ok": len(ok),
            "statuses": dict(Counter(s.status for s in self.samples)),
            "p50_ms": 1000 * percentile(ok, 0.50) if ok else None,
            "p99_ms": 1000 * percentile(ok, 0.99) if ok else None,
            "max_ms": 1000 * max(ok) if ok else None,
            "mean_ms": 1000 * sum(ok) / len(ok) if ok else None,
            "requests_per_second": len(self.samples) / self.wall_seconds,
            "answers": dict(Counter(_answer_kind(s.body) for s in self.samples)),
        }


def _answer_kind(body: str) -> str:
    if not body:
        return "empty ack"
    if "already queued" in body:
        return "collapsed"
    if "queued" in body:
        return "queued"
    return "other"


@dataclass(frozen=True)
class Target:
    name: str  # "bare" or "bot"
    client: Any  # sandbox.slack_emulator.SignedClient


def fire(
    target: Target, name: str, count: int, address: Addressing, concurrency: int = CONCURRENCY
) -> LoadRun:
    """`count` signed commands from `concurrency` threads; each latency is one full request."""

    def send(index: int) -> Sample:
        channel, text = address(index)
        started = time.monotonic()
        try:
            response = target.client.command(COMMAND, text, user_id=USER, channel_id=channel)
        except OSError as error:  # refused, reset or timed out: a failed sample, not a crash
            return Sample(0, time.monotonic() - started, str(error))
        return Sample(response.status, response.elapsed, response.body)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        samples = list(pool.map(send, range(count)))
    return LoadRun(name, target.name, concurrency, samples, time.monotonic() - started)


class BareBolt:
    """`python -m bench.bare_bolt` on a free port, stopped with SIGTERM."""

    def __init__(self, slack_env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, **slack_env}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_bolt", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until_up(f"{self.url}/healthz", self._child)

    def stop(self) -> None:
        self._child.terminate()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def _wait_until_up(url: str, child: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{url} exited at start with status {child.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up in {timeout}s")


def measure(count: int) -> list[LoadRun]:
    from sandbox.redis_server import free_port
    from sandbox.slack_emulator import SignedClient
    from sandbox.stack import Stack, StackOptions

    with Stack(StackOptions(workers=0)) as stack:
        secret = stack.emulator.signing_secret
        slack_env = {
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_BOT_TOKEN": stack.emulator.bot_token,
            "SLACK_API_URL": stack.emulator.api_url,
        }
        bare_app = BareBolt(slack_env, free_port())
        try:
            bare = Target("bare", SignedClient(bare_app.url, secret))
            bot = Target("bot", SignedClient(stack.bot_url, secret))
            return run_all(bare, bot, count)
        finally:
            bare_app.stop()


def run_all(bare: Target, bot: Target, count: int) -> list[LoadRun]:
    """Warm both up, then the concurrent runs, then one client at a time."""
    fire(bare, "warm-up", WARMUP_REQUESTS, unique_scopes("W"))
    fire(bot, "warm-up", WARMUP_REQUESTS, unique_scopes("W"))
    return [
        fire(bare, "bare Bolt ack", count, unique_scopes()),
        fire(bot, "bot, unique scopes", count, unique_scopes()),
        fire(bot, "bot, one scope (collapses)", count, one_scope),
        fire(bare, "bare Bolt ack, 1 client", SERIAL_REQUESTS, unique_scopes("S"), 1),
        fire(bot, "bot, unique scopes, 1 client", SERIAL_REQUESTS, unique_scopes("S"), 1),
    ]


def add_ratios(summaries: list[dict[str, Any]]) -> None:
    """Each run against the bare Bolt run at the same concurrency, measured in this run."""
    for summary in summaries:
        base = next(
            b for b in summaries
            if b["target"] == "bare" and b["concurrency"] == summary["concurrency"]
        )  # fmt: skip
        for key in ("p50", "p99"):
            mine, theirs = summary[f"{key}_ms"], base[f"{key}_ms"]
            summary[f"{key}_ratio_vs_bare"] = (
                None if mine is None or theirs is None else ratio(mine, theirs)
            )


def print_runs(summaries: list[dict[str, Any]]) -> None:
    headers = [
        "run", "clients", "sent", "200", "p50 ms", "p99 ms", "max ms",
        "p50 vs bare", "p99 vs bare", "req/s", "answers",
    ]  # fmt: skip
    rows = [
        [
            s["name"], s["concurrency"], s["requests"], s["ok"], s["p50_ms"], s["p99_ms"],
            s["max_ms"], fmt_ratio(s["p50_ratio_vs_bare"]), fmt_ratio(s["p99_ratio_vs_bare"]),
            s["requests_per_second"], ", ".join(f"{k}: {v}" for k, v in sorted(s["answers"].items())),
        ]
        for s in summaries
    ]  # fmt: skip
    print(format_table(headers, rows))


def run(quick: bool = False) -> int:
    count = QUICK_REQUESTS if quick else FULL_REQUESTS
    print(f"== ack_latency: {count} signed {COMMAND} requests, {CONCURRENCY} concurrent ==")
    summaries = [load.summary() for load in measure(count)]
    add_ratios(summaries)
    print_runs(summaries)
    path = write_result(
        "ack_latency", {"requests": count, "concurrency": CONCURRENCY, "runs": summaries}
    )
    print(f"results: {path}")
    return 0 if all(s["ok"] == s["requests"] for s in summaries) else 1
