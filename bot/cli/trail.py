"""`cachewarden audit-log`: export the audit log (JSON lines, oldest first) or show it as a table.

Reads REDIS_URL (and REDIS_CA_FILE for TLS) like every other process; needs no Slack token.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

import redis

from bot.slack.render.audit_log import render_table
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

EXIT_OK, EXIT_SETUP = 0, 2
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def add_audit_log_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "audit-log", help="export the audit log (requests, decisions, AWS calls)"
    )
    parser.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    parser.add_argument("--limit", type=int, default=None, help="table: only the latest N entries")
    parser.set_defaults(handler=run_audit_log)


def run_audit_log(args: argparse.Namespace) -> int:
    connection = connect(
        os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL, ca_file=os.environ.get("REDIS_CA_FILE")
    )
    log = AuditLog(connection)
    try:
        if args.format == "jsonl":
            entries = log.all()
            for entry in itertools.islice(entries, args.limit) if args.limit else entries:
                sys.stdout.write(entry.as_json() + "\n")
        else:
            latest = log.latest(args.limit or 50)
            sys.stdout.write(render_table(reversed(latest)))
    except redis.RedisError as exc:
        print(f"cachewarden: cannot read the audit log: {type(exc).__name__}", file=sys.stderr)
        return EXIT_SETUP
    return EXIT_OK
