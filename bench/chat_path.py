"""Chat path vs CLI: a signed `/cache-audit` until the finished summary, against `cachewarden audit`.

One real stack per worker count (redis-server, fake AWS, Slack emulator, the bot in HTTP
mode, 1/2/4 RQ workers), the same fleet and scope for both tools, measured in the same
run so the ratios compare like with like on a shared machine:

- `every region`: a 15-resource fleet, the configuration naming no region, so both tools
  scan every region the fake lists (one part job per region on the chat path);
- `2 regions +100 ms`: the same fleet over two regions with 100 ms added to every AWS
  request (a far region, a slow VPN), where fixed costs matter less than overlap;
- `demo first summary`: the demo fleet and options, seconds from the command until the
  parent message first names a failing finding (goal: within 5 s), and until done.

Each cell keeps the median of `repeats` runs (1 with --quick, 3 otherwise), after one
warm-up run of each tool. "1st counts" is when the parent message first shows failing
findings by severity; "first rule named" is when it first names a rule (`CW-...`), which
needs a summary that lists the top findings. CHAT_BENCH_WORKERS=1,4 picks worker counts.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bench.fake_aws_process import REPO_ROOT
from bench.report import fmt_ratio, format_table, ratio, write_result

CHANNEL = "C_PLATFORM"
FLEET_GROUPS = 10  # 10 replication groups + memcached + serverless: 15 resources on 2 regions
TWO_REGIONS = ("us-east-1", "eu-west-1")
ADDED_LATENCY_SECONDS = 0.1
CHAT_TIMEOUT_SECONDS = float(os.environ.get("CHAT_BENCH_TIMEOUT", "600"))


class DelayedApp:
    """WSGI middleware: every AWS request waits `delay` seconds before the fake answers it."""

    def __init__(self, app: Callable[..., Iterable[bytes]], delay: float) -> None:
        self._app = app
        self.delay = delay

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.delay and not environ.get("PATH_INFO", "").startswith("/_fake"):
            time.sleep(self.delay)
        return self._app(environ, start_response)


@dataclass(frozen=True)
class ChatTimes:
    first_counts: float | None  # the parent first shows failing findings (a severity count)
    first_finding: float | None  # the parent first names a failing rule (`CW-...`)
    done: float


# A severity count as the summary draws it now ("34 problems (1 critical · 2 high ...)")
# or as the field grid drew it before issue 13 ("*Critical*").
_SEVERITY_COUNT = re.compile(r"\d+ (critical|high|medium|low)\b|\*(Critical|High|Medium|Low)\*")


def _text(value: Any) -> str:
    return json.dumps(value)


def _parent(stack: Any, before: int) -> dict[str, Any] | None:
    for message in stack.emulator.messages(CHANNEL)[before:]:
        if "ElastiCache audit" in _text(message):
            return dict(message)
    return None


def chat_audit(stack: Any, text: str = "") -> ChatTimes:
    """Signed `/cache-audit <text>`; seconds until the parent names a finding and says done."""
    before = len(stack.emulator.messages(CHANNEL))
    client = stack.signed_client()
    started = time.perf_counter()
    answer = client.command("/cache-audit", text, user_id="U_ENGINEER", channel_id=CHANNEL)
    if answer.status != 200:
        raise RuntimeError(f"/cache-audit answered {answer.status}")
    first: float | None = None
    counts: float | None = None
    deadline = started + CHAT_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        parent = _parent(stack, before)
        if parent is not None:
            blocks = json.loads(_text(parent.get("blocks")))
            text = "\n".join(_strings(blocks))
            now = time.perf_counter() - started
            if counts is None and _SEVERITY_COUNT.search(text):
                counts = now
            if first is None and "CW-" in text:
                first = now
            if "(done)" in text:
                return ChatTimes(first_counts=counts, first_finding=first, done=now)
        time.sleep(0.05)
    raise TimeoutError(
        f"no finished summary after {CHAT_TIMEOUT_SECONDS:.0f} s; see {stack.log_dir}"
    )


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def cli_audit(stack: Any) -> float:
    """`cachewarden audit --format json` with the stack's configuration and fake AWS."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "audit", "--format", "json"],
        cwd=REPO_ROOT,
        env=stack.environment(),
        capture_output=True,
        text=True,
        timeout=CHAT_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: findings failed the --fail-on threshold
        raise RuntimeError(f"cachewarden audit exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds


def _start_stack(regions: tuple[str, ...], workers: int, delay: float) -> tuple[Any, DelayedApp]:
    from sandbox.fake_aws.fleet import seed_fleet
    from sandbox.fake_aws.fleet_model import FleetSpec
    from sandbox.stack import Stack, StackOptions

    stack = Stack(StackOptions(regions=regions, workers=workers)).start()
    seed_fleet(stack.aws.url, FleetSpec(groups=FLEET_GROUPS, regions=TWO_REGIONS, metrics=False))
    server = stack.aws._server  # werkzeug keeps the app in `.app`; the fake has no middleware hook
    delayed = DelayedApp(server.app, delay)
    server.app = delayed
    return stack, delayed


def compare(regions: tuple[str, ...], workers: int, delay: float, repeats: int) -> dict[str, Any]:
    """Alternate CLI and chat runs on one stack; medians and the chat/CLI ratio."""
    stack, _ = _start_stack(regions, workers, delay)
    try:
        cli_audit(stack)  # warm-up: the fake builds each backend on its first request
        chat_audit(stack)
        cli_runs, chat_runs, firsts = [], [], []
        for _ in range(repeats):
            cli_runs.append(cli_audit(stack))
            times = chat_audit(stack)
            chat_runs.append(times.done)
            if times.first_counts is not None:
                firsts.append(times.first_counts)
    finally:
        stack.stop()
    cli, chat = statistics.median(cli_runs), statistics.median(chat_runs)
    return {
        "workers": workers,
        "cli_seconds": round(cli, 2),
        "chat_seconds": round(chat, 2),
        "first_counts_seconds": round(statistics.median(firsts), 2) if firsts else None,
        "ratio": ratio(chat, cli),
    }


def demo_first_summary(repeats: int) -> dict[str, Any]:
    """On the demo stack: seconds until the parent first names a finding, and until done."""
    from sandbox.demo import demo_options
    from sandbox.fake_aws.fleet import seed_fleet
    from sandbox.fake_aws.fleet_model import demo_fleet_spec
    from sandbox.stack import Stack

    options = demo_options(0, None)
    options.cron = False
    stack = Stack(options).start()
    try:
        seed_fleet(stack.aws.url, demo_fleet_spec())
        chat_audit(stack)  # warm-up
        runs = [chat_audit(stack) for _ in range(repeats)]
    finally:
        stack.stop()
    counts = [r.first_counts for r in runs if r.first_counts is not None]
    named = [r.first_finding for r in runs if r.first_finding is not None]
    return {
        "first_counts_seconds": round(statistics.median(counts), 2) if counts else None,
        "first_finding_seconds": round(statistics.median(named), 2) if named else None,
        "done_seconds": round(statistics.median(r.done for r in runs), 2),
    }


def _watch_load(stop: threading.Event, samples: list[float]) -> None:
    import os

    while not stop.wait(1.0):
        samples.append(os.getloadavg()[0])


def run(quick: bool = False) -> int:
    repeats = 1 if quick else 3
    chosen = os.environ.get("CHAT_BENCH_WORKERS")  # e.g. "1,4": only these worker counts
    worker_counts = tuple(int(n) for n in chosen.split(",")) if chosen else (1, 2, 4)
    scenarios = [
        ("every region", (), 0.0),
        ("2 regions +100 ms", TWO_REGIONS, ADDED_LATENCY_SECONDS),
    ]
    stop, load = threading.Event(), []  # type: ignore[var-annotated]
    watcher = threading.Thread(target=_watch_load, args=(stop, load), daemon=True)
    watcher.start()
    results: dict[str, Any] = {"repeats": repeats, "scenarios": {}}
    rows = []
    for name, regions, delay in scenarios:
        cells = [compare(regions, n, delay, repeats) for n in worker_counts]
        results["scenarios"][name] = cells
        for cell in cells:
            rows.append(
                [
                    name,
                    cell["workers"],
                    cell["cli_seconds"],
                    cell["chat_seconds"],
                    cell["first_counts_seconds"] or "-",
                    fmt_ratio(cell["ratio"]),
                ]
            )
    results["demo"] = demo_first_summary(repeats)
    stop.set()
    results["load_average_max"] = round(max(load), 2) if load else None
    print(f"chat path vs CLI (median of {repeats}; seconds)")
    headers = ["scope", "workers", "cli", "chat done", "chat 1st counts", "chat/cli"]
    print(format_table(headers, rows))
    demo = results["demo"]
    print(
        f"demo fleet: failing counts in the summary after {demo['first_counts_seconds']} s,"
        f" a rule named after {demo['first_finding_seconds']} s,"
        f" done after {demo['done_seconds']} s (goal: top findings within 5 s)"
    )
    print(f"highest 1-minute load average during the run: {results['load_average_max']}")
    print(f"written to {write_result('chat_path', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run("--quick" in sys.argv))
