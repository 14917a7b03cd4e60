"""Long-running processes: `serve --http`, `serve --socket` and `worker`."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import dataclass, replace

from rq import Worker
from rq.serializers import JSONSerializer
from slack_bolt import App

from bot.metrics import BotMetrics
from bot.runtime_setup import Process, boot, bot_app, job_environment
from bot.settings import SettingsError
from bot.slack.web import WebLimits, WsgiApp, build_wsgi
from workers.aws.session_cache import SessionCache
from workers.platform.config import ConfigError
from workers.platform.enqueue import worker_queues
from workers.platform.runtime import use_environment
from workers.platform.worker import CachewardenWorker, preload
from workers.platform.worker_loop import work_until_stopped

log = logging.getLogger(__name__)


def _fail_start(exc: Exception) -> int:
    print(f"cachewarden: cannot start: {exc}", file=sys.stderr)
    return 2


@dataclass(frozen=True)
class HttpOptions:
    host: str
    port: int
    threads: int
    connection_limit: int = 1000
    idle_timeout: int = 30
    max_body_bytes: int = 1024 * 1024
    metrics_port: int | None = None


def serve_waitress(wsgi: WsgiApp, options: HttpOptions) -> None:
    """Waitress reads every request whole in its event loop before a thread runs it.

    A slow or half-sent request holds a socket, never a thread (README, "The web tier").
    """
    from waitress.server import create_server

    listen = [f"{options.host}:{options.port}"]
    if options.metrics_port is not None:
        listen.append(f"{options.host}:{options.metrics_port}")
    server = create_server(
        wsgi,
        listen=" ".join(listen),
        threads=options.threads,
        connection_limit=options.connection_limit,
        channel_timeout=options.idle_timeout,
        max_request_body_size=options.max_body_bytes,
        max_request_header_size=32 * 1024,
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
        ident="",  # no Server header
        expose_tracebacks=False,
        clear_untrusted_proxy_headers=True,
    )
    server.run()


def run_http(port: int, host: str, threads: int) -> int:
    try:
        process = boot()
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)
    settings = process.settings
    app, metrics = bot_app(process)
    limits = WebLimits(max_body_bytes=settings.web_max_body_bytes, ops_port=settings.metrics_port)
    wsgi = build_wsgi(
        app,
        process.connection,
        metrics,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        limits=limits,
    )
    options = HttpOptions(
        host=host,
        port=port,
        threads=threads,
        connection_limit=settings.web_connection_limit,
        idle_timeout=settings.web_idle_timeout,
        max_body_bytes=settings.web_max_body_bytes,
        metrics_port=settings.metrics_port,
    )
    log.info("http mode listening", extra={"port": port, "metrics_port": settings.metrics_port})
    serve_waitress(wsgi, options)
    return 0


def run_socket(host: str) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    try:
        process = boot(need_app_token=True)
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)
    app, metrics = bot_app(process)
    token = process.settings.slack_app_token
    assert token is not None  # boot(need_app_token=True) guarantees it
    _serve_ops_in_background(process, app, metrics, host)
    SocketModeHandler(app, token.get_secret_value()).start()  # type: ignore[no-untyped-call]
    return 0


def _serve_ops_in_background(process: Process, app: App, metrics: BotMetrics, host: str) -> None:
    """Socket Mode has no web tier; METRICS_PORT still gets /healthz and /metrics."""
    port = process.settings.metrics_port
    if port is None:
        return
    wsgi = build_wsgi(
        app,
        process.connection,
        metrics,
        signing_secret=process.settings.slack_signing_secret.get_secret_value(),
        limits=WebLimits(ops_port=port),  # /slack/events is not served on this port
    )
    options = HttpOptions(host=host, port=port, threads=2)
    threading.Thread(
        target=serve_waitress, args=(wsgi, options), name="ops-http", daemon=True
    ).start()
    log.info("ops endpoints listening", extra={"metrics_port": port})


def run_worker(burst: bool, with_scheduler: bool) -> int:
    try:
        process = boot()
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)

    # Approved actions first: RQ serves the queues in the order given.
    def make_worker() -> Worker:
        return CachewardenWorker(
            worker_queues(process.connection),
            connection=process.connection,
            serializer=JSONSerializer,
        )

    sessions = SessionCache()
    preload(sessions)  # before the first fork: horses inherit the imports and parsed models
    with use_environment(replace(job_environment(process), sessions=sessions)):
        work_until_stopped(make_worker, burst=burst, with_scheduler=with_scheduler)
    return 0


def add_process_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the Slack bot (HTTP mode or Socket Mode)")
    mode = serve.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="serve /slack/events, /healthz, /metrics")
    mode.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--threads", type=int, default=16)
    serve.set_defaults(
        handler=lambda a: run_socket(a.host) if a.socket else run_http(a.port, a.host, a.threads)
    )
    worker = sub.add_parser("worker", help="run an RQ worker for audit and fix jobs")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--with-scheduler", action="store_true")
    worker.set_defaults(handler=lambda a: run_worker(a.burst, a.with_scheduler))
