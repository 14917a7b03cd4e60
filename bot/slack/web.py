"""The HTTP-mode WSGI application: /slack/events, /healthz and /metrics.

/slack/events passes the gate (bot.slack.web_guard) before Bolt sees a byte: size first, then
the signature on the raw body, then the body's shape. Every request leaves one JSON
access-log line; an unexpected error leaves one JSON line and a 500, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from prometheus_client import make_wsgi_app
from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest

from bot.metrics import BotMetrics
from bot.slack.web_guard import Refusal, check_shape, read_body, verify_signature

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
access_log = logging.getLogger("cachewarden.access")
log = logging.getLogger(__name__)
_MAX_LOGGED_PATH = 120


@dataclass(frozen=True)
class WebLimits:
    max_body_bytes: int = 256 * 1024
    ops_port: int | None = None  # when set, /metrics is served on this port only


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def _slack_events(app: App, secret: bytes, limits: WebLimits) -> WsgiApp:
    def events(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise Refusal(405, "only POST")
            body = read_body(environ, limits.max_body_bytes)
            verify_signature(
                secret,
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
                body,
                time.time(),
            )
            check_shape(str(environ.get("CONTENT_TYPE", "")), body)
        except Refusal as refusal:
            environ["cachewarden.refusal"] = refusal.reason
            return _json(start_response, refusal.status_line, {"error": refusal.reason})
        request = WsgiHttpRequest(environ)
        answer = app.dispatch(
            BoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=request.get_headers(),
            )
        )
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    return events


def _health(connection: redis.Redis) -> WsgiApp:
    def health(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            connection.ping()
        except redis.RedisError:
            return _json(
                start_response,
                "503 Service Unavailable",
                {"status": "down", "redis": "unreachable"},
            )
        return _json(start_response, "200 OK", {"status": "ok", "redis": "ok"})

    return health


def _logged(route: WsgiApp) -> WsgiApp:
    """One JSON access line per request; an exception becomes one JSON error line and a 500."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        status: list[str] = []

        def recording(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(line)
            return start_response(line, headers, exc_info)

        try:
            body = list(route(environ, recording))
        except Exception:
            log.exception("request failed", extra={"path": _path(environ)})
            error = sys.exc_info()  # lets the server replace headers a route already set
            payload = json.dumps({"error": "internal"}).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            recording("500 Internal Server Error", headers, error)
            body = [payload]
        access_log.info(
            "request",
            extra={
                "method": str(environ.get("REQUEST_METHOD", ""))[:10],
                "path": _path(environ),
                "status": int(status[-1].split()[0]) if status else 0,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "bytes_in": str(environ.get("CONTENT_LENGTH") or "-")[:16],
                "refusal": environ.get("cachewarden.refusal"),
            },
        )
        return body

    return wsgi


def _path(environ: dict[str, Any]) -> str:
    return str(environ.get("PATH_INFO", ""))[:_MAX_LOGGED_PATH]


def build_wsgi(
    app: App,
    connection: redis.Redis,
    metrics: BotMetrics,
    *,
    signing_secret: str,
    limits: WebLimits | None = None,
) -> WsgiApp:
    limits = limits or WebLimits()
    slack = _slack_events(app, signing_secret.encode(), limits)
    health = _health(connection)
    prometheus = make_wsgi_app(metrics.registry)

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        on_ops = limits.ops_port is not None and environ.get("SERVER_PORT") == str(limits.ops_port)
        if path == "/healthz":
            return health(environ, start_response)
        if path == "/slack/events" and not on_ops:
            return slack(environ, start_response)
        if path == "/metrics" and (on_ops or limits.ops_port is None):
            metrics_page: Iterable[bytes] = prometheus(environ, start_response)
            return metrics_page
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return _logged(route)
