"""The HTTP-mode WSGI application: /slack/events, /healthz and /metrics."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import redis
from prometheus_client import make_wsgi_app
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.metrics import BotMetrics

StartResponse = Callable[..., Any]


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]


def build_wsgi(
    app: App, connection: redis.Redis, metrics: BotMetrics
) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app)
    prometheus = make_wsgi_app(metrics.registry)

    def health(start_response: StartResponse) -> Iterable[bytes]:
        try:
            connection.ping()
        except redis.RedisError:
            return _json(
                start_response,
                "503 Service Unavailable",
                {"status": "down", "redis": "unreachable"},
            )
        return _json(start_response, "200 OK", {"status": "ok", "redis": "ok"})

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/slack/events":
            answer: Iterable[bytes] = slack(environ, start_response)
            return answer
        if path == "/healthz":
            return health(start_response)
        if path == "/metrics":
            metrics_page: Iterable[bytes] = prometheus(environ, start_response)
            return metrics_page
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi
