"""The gate in front of Bolt: sizes, signatures and shapes, on raw bytes, before any parsing."""

from __future__ import annotations

import io
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.metrics import BotMetrics
from bot.slack.app import BotDeps, create_app
from bot.slack.web_guard import Refusal, check_shape, read_body, verify_signature
from workers.platform.config import AppConfig

SECRET = "unit-secret"
NOW = 1_800_000_000.0
FORM = "application/x-www-form-urlencoded"


def _sign(body: bytes, timestamp: str) -> str:
    return str(SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body))


def _refusal(call: Any, *args: Any) -> tuple[int, str]:
    with pytest.raises(Refusal) as refused:
        call(*args)
    return refused.value.status, refused.value.reason


def test_a_genuine_signature_passes() -> None:
    body = b"command=%2Fcache-help&text="
    verify_signature(SECRET.encode(), str(int(NOW)), _sign(body, str(int(NOW))), body, NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "status"),
    [
        ("abc", "v0=00", 400),
        ("-5", "v0=00", 400),
        ("1" * 20, "v0=00", 400),
        ("١٢٣", "v0=00", 400),  # Arabic-Indic digits: isdigit() but not ASCII
        (None, "v0=00", 401),
        (str(int(NOW)), None, 401),
        (str(int(NOW) - 301), "genuine", 401),  # stale
        (str(int(NOW) + 301), "genuine", 401),  # from the future
        (str(int(NOW)), "v0=deadbeef", 401),
        (str(int(NOW)), "v0=é", 401),  # non-ASCII signature: refused, not a crash
    ],
)
def test_bad_signature_headers_are_refused(
    timestamp: str | None, signature: str | None, status: int
) -> None:
    body = b"text=hello"
    if signature == "genuine" and timestamp:
        signature = _sign(body, timestamp)
    got, _ = _refusal(verify_signature, SECRET.encode(), timestamp, signature, body, NOW)
    assert got == status


def test_a_tampered_body_is_refused() -> None:
    body = b"text=hello"
    signature = _sign(body, str(int(NOW)))
    status, reason = _refusal(
        verify_signature, SECRET.encode(), str(int(NOW)), signature, body + b"&x=1", NOW
    )
    assert (status, reason) == (401, "signature mismatch")


def _environ(body: bytes, length: str | None) -> dict[str, Any]:
    environ: dict[str, Any] = {"wsgi.input": io.BytesIO(body)}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    return environ


class _Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_declared_oversize_is_refused_without_reading() -> None:
    stream = _Counting(b"a" * 5000)
    status, _ = _refusal(read_body, {"wsgi.input": stream, "CONTENT_LENGTH": "5000"}, 4096)
    assert status == 413 and stream.taken == 0


def test_undeclared_oversize_reads_one_byte_past_the_limit_only() -> None:
    stream = _Counting(b"a" * 100_000)
    status, _ = _refusal(read_body, {"wsgi.input": stream}, 4096)
    assert status == 413 and stream.taken == 4097


@pytest.mark.parametrize(
    ("length", "status"), [("abc", 400), ("-1", 400), ("1e3", 400), ("99999999999999999", 400)]
)
def test_malformed_content_length_is_a_400(length: str, status: int) -> None:
    assert _refusal(read_body, _environ(b"abc", length), 4096)[0] == status


def test_a_short_body_is_a_400() -> None:
    assert _refusal(read_body, _environ(b"abc", "10"), 4096)[0] == 400


def test_bodies_within_the_limit_are_returned_whole() -> None:
    assert read_body(_environ(b"abc", "3"), 4096) == b"abc"
    assert read_body(_environ(b"abc", None), 4096) == b"abc"


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/json", b"command=%2Fcache-help", 400),  # a form sent as JSON
        ("application/json", b"[1, 2]", 400),
        ("application/json; charset=utf-8", b"\xff\xfe", 400),
        (FORM, urlencode({"payload": "{broken"}).encode(), 400),
        (FORM, urlencode({"payload": "[]"}).encode(), 400),
        (FORM, b"a=1&&&==", 400),
        ("text/plain", b"hello", 415),
        ("", b"hello", 415),
    ],
)
def test_bodies_that_are_not_what_they_claim_are_refused(
    content_type: str, body: bytes, status: int
) -> None:
    assert _refusal(check_shape, content_type, body)[0] == status


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (FORM, b"command=%2Fcache-help&text="),
        (FORM, urlencode({"payload": json.dumps({"type": "block_actions"})}).encode()),
        ("application/json", b'{"type": "url_verification", "challenge": "x"}'),
        (FORM, b""),
    ],
)
def test_what_slack_sends_passes(content_type: str, body: bytes) -> None:
    check_shape(content_type, body)


def test_bolt_verification_never_logs_a_refused_body(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # before the App: Bolt copies the root level then
    connection = redis.Redis(port=1)  # never used: the request is refused first
    deps = BotDeps(connection, AppConfig(), BotMetrics(connection, ("audits",)))
    app = create_app(
        client=WebClient(token="xoxb-unit"), signing_secret=SECRET, deps=deps, verify_token=False
    )
    marker = "response_url=https%3A%2F%2Fhooks.slack.com%2Fsecret-marker"
    stale = str(int(time.time()) - 600)
    answer = app.dispatch(
        BoltRequest(
            body=f"command=%2Fcache-help&{marker}",
            headers={
                "content-type": FORM,
                "x-slack-request-timestamp": stale,
                "x-slack-signature": _sign(f"command=%2Fcache-help&{marker}".encode(), stale),
            },
        )
    )
    assert answer.status == 401
    assert "secret-marker" not in caplog.text
