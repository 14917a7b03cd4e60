"""Fault matrix for the web tier, over the real `cachewarden serve --http` process.

Slow clients must not starve request handling, oversized bodies are refused unread,
every malformed or unsigned request gets its 4xx (never a 500), and every line the web
process writes is one JSON object that carries no request body.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from sandbox.hostile import Slowloris, SlowlorisOptions, raw_exchange
from sandbox.slack_emulator import payloads
from sandbox.stack import Stack, StackOptions

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("web-tier-faults")]

CHANNEL = "C_PLATFORM"
MARKER = "zz-body-marker-7f3a"  # appears in request bodies; must never appear in a log
HUNDRED_MB = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # No worker: the web tier alone is under test, and queued audits just wait.
    with Stack(StackOptions(regions=("us-east-1",), workers=0)) as running:
        yield running


def _post(stack: Stack, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{stack.bot_url}/slack/events", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _command_body(stack: Stack, text: str = MARKER) -> str:
    invocation = payloads.Invocation(
        "U_ENGINEER",
        CHANNEL,
        None,
        f"https://hooks.slack.com/commands/T0/1/{MARKER}",
        f"trigger-{MARKER}",
    )
    fields = payloads.command_fields(stack.emulator.workspace, invocation, "/cache-help", text)
    return urlencode(fields)


def _signed_headers(
    stack: Stack, body: str, content_type: str, timestamp: str | None = None
) -> dict[str, str]:
    stamp = timestamp or str(int(time.time()))
    verifier = SignatureVerifier(stack.emulator.signing_secret)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
    }


@pytest.mark.parametrize("mode", ["body", "headers"])
def test_slowloris_does_not_starve_commands_or_health(stack: Stack, mode: str) -> None:
    options = SlowlorisOptions(connections=200, interval=1.0, mode=mode)
    with Slowloris("127.0.0.1", stack.web_port, options) as attack:
        time.sleep(2.5)  # every attacking connection accepted and half-sent
        assert attack.open_connections == 200, "the attack must really be holding 200 sockets"
        client = stack.signed_client()
        for index in range(5):
            started = time.monotonic()
            answer = client.command(
                "/cache-audit", "region=us-east-1", user_id="U_ENGINEER", channel_id=f"C{index}"
            )
            assert answer.status == 200
            assert time.monotonic() - started < 1.0
            started = time.monotonic()
            with urllib.request.urlopen(f"{stack.bot_url}/healthz", timeout=1) as health:
                assert health.status == 200
            assert time.monotonic() - started < 1.0
        assert attack.open_connections == 200, "the slow clients are held, not served"


def _hundred_megabytes() -> Iterator[bytes]:
    chunk = b"a" * 65536
    for _ in range(HUNDRED_MB // len(chunk)):
        yield chunk


def test_a_100_mb_unsigned_body_is_refused_with_413_unread(stack: Stack) -> None:
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {HUNDRED_MB}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = raw_exchange("127.0.0.1", stack.web_port, head, _hundred_megabytes())
    assert answer.status == 413, answer.head
    assert answer.sent_bytes < 8 * 1024 * 1024, "the server read far more than it needed"
    assert time.monotonic() - started < 5.0


def test_a_chunked_body_over_the_limit_is_refused_with_413(stack: Stack) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * 65536

    def chunks() -> Iterator[bytes]:
        for _ in range(HUNDRED_MB // len(chunk)):
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    answer = raw_exchange("127.0.0.1", stack.web_port, head, chunks())
    assert answer.status == 413, answer.head
    assert answer.sent_bytes < 8 * 1024 * 1024


def test_timestamp_abc_is_a_400_not_a_500(stack: Stack) -> None:
    body = _command_body(stack)
    headers = _signed_headers(stack, body, "application/x-www-form-urlencoded", "abc")
    status, answer = _post(stack, body.encode(), headers)
    assert status == 400 and json.loads(answer) == {"error": "malformed timestamp header"}


def test_unsigned_form_body_sent_as_json_is_a_401(stack: Stack) -> None:
    body = _command_body(stack)
    status, _ = _post(stack, body.encode(), {"Content-Type": "application/json"})
    assert status == 401


def test_signed_form_body_sent_as_json_is_a_400(stack: Stack) -> None:
    body = _command_body(stack)
    status, answer = _post(stack, body.encode(), _signed_headers(stack, body, "application/json"))
    assert status == 400 and "JSON" in answer


def test_signed_payload_that_is_not_json_is_a_400(stack: Stack) -> None:
    body = urlencode({"payload": "{not json " + MARKER})
    form = "application/x-www-form-urlencoded"
    status, _ = _post(stack, body.encode(), _signed_headers(stack, body, form))
    assert status == 400


def test_signed_body_of_another_media_type_is_a_415(stack: Stack) -> None:
    body = _command_body(stack)
    status, _ = _post(stack, body.encode(), _signed_headers(stack, body, "text/plain"))
    assert status == 415


def test_a_stale_genuine_request_is_a_401(stack: Stack) -> None:
    body = _command_body(stack)
    stale = str(int(time.time()) - 600)
    form = "application/x-www-form-urlencoded"
    status, _ = _post(stack, body.encode(), _signed_headers(stack, body, form, stale))
    assert status == 401


def test_a_get_on_the_events_path_is_a_405(stack: Stack) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.bot_url}/slack/events", timeout=5)
    assert refused.value.code == 405


def test_a_malformed_content_length_is_a_400(stack: Stack) -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: abc\r\n\r\n"
    answer = raw_exchange("127.0.0.1", stack.web_port, head)
    assert answer.status == 400


def test_every_web_log_line_is_one_json_object_without_bodies(stack: Stack) -> None:
    # Runs last in this module: the hostile requests above have all been logged.
    text = (stack.log_dir / "web.log").read_text()
    lines = [line for line in text.splitlines() if line]
    assert lines
    events = [json.loads(line) for line in lines]  # fails on any non-JSON line
    assert all(isinstance(event, dict) for event in events)
    assert "Traceback" not in text
    assert MARKER not in text, "a request body (or its response_url/trigger_id) was logged"
    assert payloads.VERIFICATION_TOKEN not in text
    refused = [e for e in events if e.get("logger") == "cachewarden.access" and e["status"] >= 400]
    assert {e["status"] for e in refused} >= {400, 401, 405, 415}
    assert not [e for e in events if e.get("status") == 500]
