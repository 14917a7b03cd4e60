"""Long-running processes: `serve --http`, `serve --socket` and `worker`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from bot.runtime_setup import boot, bot_app, job_environment
from bot.settings import SettingsError
from bot.web import build_wsgi
from workers.config import ConfigError
from workers.platform.worker_loop import work_until_stopped
from workers.queueing import QUEUES, audit_queue
from workers.runtime import use_environment
from workers.telemetry import correlation

log = logging.getLogger(__name__)


class CorrelatedWorker(Worker):
    """An RQ worker that runs each job under the correlation id its request started with."""

    def perform_job(self, job: Job, queue: Any, execution: Any) -> bool:
        cid = str((job.meta or {}).get("correlation_id", job.id))
        with correlation(cid):
            return bool(super().perform_job(job, queue, execution))


def _fail_start(exc: Exception) -> int:
    print(f"cachewarden: cannot start: {exc}", file=sys.stderr)
    return 2


def run_http(port: int, host: str, threads: int) -> int:
    from gunicorn.app.base import BaseApplication

    try:
        process = boot()
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)
    app, metrics = bot_app(process)
    wsgi = build_wsgi(app, process.connection, metrics)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)  # one process: metrics live in it; scale with threads
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("control_socket_disable", True)  # several bots may share a machine

        def load(self) -> Any:
            return wsgi

    log.info("http mode listening", extra={"port": port})
    _Server().run()
    return 0


def run_socket() -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    try:
        process = boot(need_app_token=True)
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)
    app, _ = bot_app(process)
    token = process.settings.slack_app_token
    assert token is not None  # boot(need_app_token=True) guarantees it
    SocketModeHandler(app, token.get_secret_value()).start()  # type: ignore[no-untyped-call]
    return 0


def run_worker(burst: bool, with_scheduler: bool) -> int:
    try:
        process = boot()
    except (SettingsError, ConfigError) as exc:
        return _fail_start(exc)
    queue = audit_queue(process.connection)

    def make_worker() -> Worker:
        return CorrelatedWorker(
            [queue, *QUEUES[1:]], connection=process.connection, serializer=JSONSerializer
        )

    with use_environment(job_environment(process)):
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
        handler=lambda a: run_socket() if a.socket else run_http(a.port, a.host, a.threads)
    )
    worker = sub.add_parser("worker", help="run an RQ worker for audit and fix jobs")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--with-scheduler", action="store_true")
    worker.set_defaults(handler=lambda a: run_worker(a.burst, a.with_scheduler))
