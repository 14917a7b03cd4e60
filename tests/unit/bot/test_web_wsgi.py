"""The WSGI pipeline in process: routing, the ops port, the 500 path and the access line."""

from __future__ import annotations

import io
import json
import logging
import time
from typing import Any

import pytest
import redis
from slack_sdk.signature import SignatureVerifier

from bot.metrics import BotMetrics
from bot.slack.web import WebLimits, build_wsgi

SECRET = "unit-secret"


class _ExplodingApp:
    """Stands in for Bolt: the gate has passed, then something inside breaks."""

    def dispatch(self, request: Any) -> Any:
        raise RuntimeError("listener blew up with token xoxb-1234567890")


def _wsgi(ops_port: int | None = None) -> Any:
    connection = redis.Redis(port=1)  # nothing listens: /healthz says so
    metrics = BotMetrics(connection, ())
    limits = WebLimits(max_body_bytes=4096, ops_port=ops_port)
    return build_wsgi(_ExplodingApp(), connection, metrics, signing_secret=SECRET, limits=limits)  # type: ignore[arg-type]


def _call(wsgi: Any, path: str, method: str = "GET", body: bytes = b"", **extra: str) -> Any:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = int(status.split()[0])

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_PORT": "3000",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **extra,
    }
    seen["body"] = b"".join(wsgi(environ, start_response))
    return seen


def _signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": str(signature),
    }


def test_an_error_inside_bolt_is_a_json_500_and_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    body = b"command=%2Fcache-help&text="
    seen = _call(_wsgi(), "/slack/events", "POST", body, **_signed(body))
    assert seen["status"] == 500 and json.loads(seen["body"]) == {"error": "internal"}
    failed = [r for r in caplog.records if r.getMessage() == "request failed"]
    assert len(failed) == 1 and failed[0].exc_info is not None
    (access,) = [r for r in caplog.records if r.name == "cachewarden.access"]
    assert access.__dict__["status"] == 500


def test_the_gate_answers_before_bolt_is_reached() -> None:
    seen = _call(_wsgi(), "/slack/events", "POST", b"a=1", CONTENT_TYPE="application/json")
    assert seen["status"] == 401  # _ExplodingApp would have made it a 500


def test_health_reports_redis_down_as_503() -> None:
    assert _call(_wsgi(), "/healthz")["status"] == 503


def test_metrics_move_to_the_ops_port_when_one_is_set() -> None:
    assert _call(_wsgi(), "/metrics")["status"] == 200
    split = _wsgi(ops_port=9100)
    assert _call(split, "/metrics")["status"] == 404
    assert _call(split, "/metrics", SERVER_PORT="9100")["status"] == 200
    body = b"a=1"
    on_ops = _call(split, "/slack/events", "POST", body, SERVER_PORT="9100", **_signed(body))
    assert on_ops["status"] == 404


def test_unknown_paths_are_404() -> None:
    assert _call(_wsgi(), "/admin")["status"] == 404
