"""`make demo`: the whole bot on this machine, no Slack workspace and no AWS account.

Starts a real redis-server, the fake AWS seeded with a two-account, two-region fleet,
the Slack emulator with its demo page, the bot in HTTP mode and an RQ worker, and (unless
--no-teams) the Bot Connector emulator with `cachewarden serve --teams`, then prints one URL. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from sandbox.fake_aws.fleet import seed_fleet
from sandbox.fake_aws.fleet_model import demo_fleet_spec
from sandbox.stack import Stack, StackOptions
from sandbox.teams_connector.view import DEMO_APPROVERS

DEFAULT_PORT = 8765


def demo_options(port: int, log_dir: Path | None, *, teams: bool = False) -> StackOptions:
    spec = demo_fleet_spec()
    # Every account through its audit role, as a multi-account deployment would be set up.
    roles = tuple(f"arn:aws:iam::{acct}:role/{spec.role_name}" for acct in spec.accounts)
    return StackOptions(
        regions=spec.regions,
        role_arns=roles,
        # Fixes and token rotations assume a separate write role in each account; scans never do.
        config_extra='\n[remediation]\norganization_role = "CachewardenRemediation"\n',
        emulator_port=port,
        log_dir=log_dir,
        cron=True,  # digest subscriptions post on schedule; `/cache-audit digest now` on demand
        cron_tick_seconds=10,
        teams=teams,  # the Bot Connector emulator and `serve --teams`, beside Slack
        teams_approvers=DEMO_APPROVERS if teams else (),  # Sam Security and Sasha Secops
    )


def start_demo(port: int, log_dir: Path | None = None, *, teams: bool = False) -> Stack:
    stack = Stack(demo_options(port, log_dir, teams=teams)).start()
    seed_fleet(stack.aws.url, demo_fleet_spec())
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", DEFAULT_PORT)))
    parser.add_argument("--logs", type=Path, default=Path("artifacts/demo-logs"))
    parser.add_argument(
        "--exit-after", type=float, default=None, help="stop after N seconds (tests)"
    )
    parser.add_argument("--no-teams", action="store_true", help="do not start the Teams front end")
    args = parser.parse_args(argv)
    print("Starting redis-server, fake AWS, Slack emulator, bot and worker ...", flush=True)
    stack = start_demo(args.port, args.logs, teams=not args.no_teams)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"\n  cachewarden demo: {stack.emulator.base_url}\n", flush=True)
    print(
        "  Try /cache-audit, then open the thread; switch user to Sam Security to approve.",
        flush=True,
    )
    print(
        "  Daily digest: /cache-audit subscribe daily 09:00, or /cache-audit digest now.",
        flush=True,
    )
    if stack.teams is not None:
        print(
            f"  Teams view: {stack.teams.page_url} (or 'Switch to the Teams view' in the page);"
            " mention is added for you, try audit, then Approve as Sam Security.",
            flush=True,
        )
    print(f"  Logs: {args.logs}/   Ctrl-C stops everything.\n", flush=True)
    try:
        deadline = time.monotonic() + args.exit_after if args.exit_after else None
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
