"""`cachewarden listen`: the real-time alert listener process (issue 16)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from bot.runtime_setup import boot, job_environment
from bot.settings import SettingsError
from posture.alerts import ApiCallEvent
from workers.alerts.flow import AccountSessions
from workers.alerts.jobs import run_events
from workers.alerts.listener import Listener, queue_region
from workers.alerts.metrics import ListenerMetrics, serve_health
from workers.aws.session import default_chain_session
from workers.platform.config import ConfigError

log = logging.getLogger(__name__)


def run_listen(host: str, port: int) -> int:
    try:
        process = boot()
    except (SettingsError, ConfigError) as exc:
        print(f"cachewarden: cannot start: {exc}", file=sys.stderr)
        return 2
    config = process.config.alerts
    if not config.queue_url:
        print("cachewarden: cannot start: [alerts] queue_url is not set", file=sys.stderr)
        return 2
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    session = default_chain_session(endpoint_url=endpoint)
    region = queue_region(config, os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    sqs = session.client(session.new_session(), "sqs", region)
    metrics = ListenerMetrics(process.connection, stale_after=config.wait_seconds + 40.0)
    server = serve_health(metrics, host, port)
    stop = threading.Event()
    env = job_environment(process)
    sessions = AccountSessions(endpoint)
    sessions.get(None)  # warm: credentials and the first STS call before the first event

    def handle(events: list[ApiCallEvent]) -> None:
        run_events(env, events, sessions)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("listening for alert events", extra={"port": server.server_port})
    try:
        Listener(sqs, process.connection, config, metrics, handle).run(stop)
    finally:
        server.shutdown()
    return 0


def add_listen_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("listen", help="consume CloudTrail events from SQS; post alerts")
    parser.add_argument("--host", default="0.0.0.0", help="for /healthz and /metrics")
    parser.add_argument("--port", type=int, default=3001)
    parser.set_defaults(handler=lambda a: run_listen(a.host, a.port))
