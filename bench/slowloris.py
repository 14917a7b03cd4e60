"""Does a slow client starve the web tier? Three servers, the same bot, the same attack.

For each candidate server (bench.web_servers) on one stack (redis-server, Slack emulator,
no RQ worker): 200 connections send a request one byte every 2 s (body mode: full
headers promising 1000 bytes; headers mode: headers never finished), and meanwhile one
client sends signed `/cache-audit` commands and `GET /healthz`, one at a time, each with
a 5 s timeout. Reported: how many were answered, and their latency.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from bench.ack_latency import _wait_until_up
from bench.fake_aws_process import REPO_ROOT
from bench.report import format_table, percentile, write_result

ATTACKERS = 200
PROBES = 20
PROBE_TIMEOUT = 5.0
SETTLE_SECONDS = 3.0  # let every attacking connection be accepted and half-sent
SERVERS = {"waitress": ("waitress",), "gthread": ("gunicorn",), "gevent": ("gunicorn", "gevent")}


@dataclass(frozen=True)
class Probe:
    kind: str
    ok: bool
    seconds: float


def _probe_health(url: str) -> Probe:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=PROBE_TIMEOUT) as answer:
            ok = answer.status == 200
    except OSError:
        ok = False
    return Probe("healthz", ok, time.monotonic() - started)


def _probe_command(client: Any, index: int) -> Probe:
    started = time.monotonic()
    try:
        answer = client.command(
            "/cache-audit", "region=us-east-1", user_id="U_ENGINEER", channel_id=f"C{index:04d}"
        )
        ok = answer.status == 200
    except OSError:
        ok = False
    return Probe("command", ok, time.monotonic() - started)


def _row(server: str, mode: str, probes: list[Probe], attack_open: int) -> list[Any]:
    row: list[Any] = [server, mode, attack_open]
    for kind in ("command", "healthz"):
        mine = [p for p in probes if p.kind == kind]
        ok = [p.seconds * 1000 for p in mine if p.ok]
        row += [
            f"{len(ok)}/{len(mine)}",
            percentile(ok, 0.5) if ok else "-",
            max(ok) if ok else "-",
        ]
    return row


def _attack(server: str, mode: str, port: int, client: Any) -> tuple[list[Probe], int]:
    from sandbox.hostile import Slowloris, SlowlorisOptions

    url = f"http://127.0.0.1:{port}"
    with Slowloris("127.0.0.1", port, SlowlorisOptions(ATTACKERS, 2.0, mode)) as attack:
        time.sleep(SETTLE_SECONDS)
        probes = []
        for index in range(PROBES):
            probes.append(_probe_command(client, index))
            probes.append(_probe_health(url))
        return probes, attack.open_connections


def _serve(server: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.web_servers", "--server", server, "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_until_up(f"http://127.0.0.1:{port}/healthz", child)
    return child


def run(quick: bool = False, only: tuple[str, ...] = ()) -> int:
    from sandbox.redis_server import free_port
    from sandbox.slack_emulator import SignedClient
    from sandbox.stack import Stack, StackOptions

    rows, missing = [], []
    with Stack(StackOptions(workers=0)) as stack:
        env = stack.environment()
        for server, modules in SERVERS.items():
            if only and server not in only:
                continue
            if not all(importlib.util.find_spec(m) for m in modules):
                missing.append(server)
                continue
            port = free_port()
            child = _serve(server, env, port)
            client = SignedClient(
                f"http://127.0.0.1:{port}",
                stack.emulator.signing_secret,
                stack.emulator,
                timeout=PROBE_TIMEOUT,
            )
            try:
                for mode in ("body", "headers"):
                    probes, still_open = _attack(server, mode, port, client)
                    rows.append(_row(server, mode, probes, still_open))
            finally:
                child.terminate()
                child.wait(timeout=15)
    headers = [
        "server",
        "attack",
        "open",
        "commands",
        "p50 ms",
        "max ms",
        "healthz",
        "p50 ms",
        "max ms",
    ]
    print(f"== slowloris: {ATTACKERS} connections, 1 byte / 2 s; {PROBES} probes of each kind ==")
    print(format_table(headers, rows))
    for server in missing:
        print(f"{server}: not installed, not measured")
    write_result("slowloris", {"rows": [dict(zip(headers, r, strict=False)) for r in rows]})
    return 0


if __name__ == "__main__":
    raise SystemExit(run(only=tuple(sys.argv[1:])))
