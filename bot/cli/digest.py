"""`cachewarden digest` (the channel digest in a terminal) and `cachewarden cron` (the scheduler).

`digest` scans the scope now and prints the digest. With REDIS_URL set it compares with
the scope's history; it records the scan only with --record, so a preview never moves
a channel's baseline. Exit codes: 0 printed, 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.slack.render.text_digest import render_digest_text
from commands.errors import UsageError
from commands.scope import parse_scope
from workers.aws.session import MissingCredentialsError
from workers.platform.config import ConfigError, load_config

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def add_digest_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    digest = sub.add_parser("digest", help="print today's digest for a scope (scans now)")
    digest.add_argument(
        "--scope", default="", help='scope words, e.g. "region=eu-west-1 engine=valkey"'
    )
    digest.add_argument("--format", choices=("text", "json"), default="text")
    digest.add_argument("--timezone", default=None, help="IANA zone for the day (default: config)")
    digest.add_argument(
        "--chart", type=Path, default=None, help="also write the trend chart PNG here"
    )
    digest.add_argument("--no-history", action="store_true", help="ignore REDIS_URL; no comparison")
    digest.add_argument("--record", action="store_true", help="record this scan in the history")
    digest.set_defaults(handler=run_digest_command)
    cron = sub.add_parser("cron", help="run the digest scheduler (exactly one per deployment)")
    cron.add_argument(
        "--tz", default=os.environ.get("TZ") or "UTC", help="TZ for RQ's cron strings"
    )
    cron.add_argument("--tick-seconds", type=int, default=0, help="tick interval (0: every minute)")
    cron.set_defaults(handler=run_cron_command)


def _redis(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    url = os.environ.get("REDIS_URL")
    if args.no_history or not url:
        return None
    from workers.platform.redis_connection import connect

    return connect(url, ca_file=os.environ.get("REDIS_CA_FILE"))


def run_digest_command(args: argparse.Namespace) -> int:
    from workers.digest.build import DigestRequest, assemble_digest, scan_scope_now

    try:
        scope = parse_scope(args.scope.split())
        config = load_config(os.environ.get("CACHEWARDEN_CONFIG"))
        zone = args.timezone or config.digest.default_timezone
        now = datetime.now(UTC)
        day = now.astimezone(ZoneInfo(zone)).date()
    except UsageError as exc:
        print(f"cachewarden digest: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, ValueError, KeyError) as exc:
        print(f"cachewarden digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        outcome = scan_scope_now(scope, config, os.environ.get("AWS_ENDPOINT_URL") or None)
    except MissingCredentialsError as exc:
        print(f"cachewarden digest: {exc} (set AWS_PROFILE or AWS credentials)", file=sys.stderr)
        return EXIT_USAGE
    request = DigestRequest(channel="", scope=scope, timezone=zone, day=day, now=now)
    built = assemble_digest(_redis(args), config, request, outcome, record=args.record)
    if args.chart:
        args.chart.write_bytes(built.chart_png)
    if args.format == "json":
        print(json.dumps(built.digest.model_dump(mode="json"), indent=2))
    else:
        sys.stdout.write(render_digest_text(built.digest))
    return EXIT_OK


def run_cron_command(args: argparse.Namespace) -> int:
    from workers.platform.cron import build_scheduler
    from workers.platform.redis_connection import connect
    from workers.platform.telemetry import configure_logging

    os.environ["TZ"] = args.tz  # RQ 3 reads cron strings in the process's local zone
    time.tzset()
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    connection = connect(url, ca_file=os.environ.get("REDIS_CA_FILE"))
    scheduler = build_scheduler(connection, tick_seconds=args.tick_seconds)
    print(f"cachewarden cron: TZ={args.tz}, {len(scheduler.get_jobs())} job(s)", file=sys.stderr)
    scheduler.start()  # type: ignore[no-untyped-call]  # blocks until SIGTERM
    return EXIT_OK
