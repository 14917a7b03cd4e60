"""/cache-audit over real processes: signed request -> RQ jobs -> parent message and thread."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import redis

from sandbox.stack import Stack
from tests.integration.bot.conftest import HOSTILE, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bot-stack")]
CHANNEL = "C_PLATFORM"


def _all_text(value: Any) -> str:
    return json.dumps(value)


def _done_parent(stack: Stack, after: int) -> dict[str, Any] | None:
    messages = stack.emulator.messages(CHANNEL)[after:]
    for message in messages:
        if "(done)" in _all_text(message.get("blocks")) and message.get("reply_count", 0) >= 1:
            return message
    return None


def test_audit_acks_fast_and_posts_summary_with_thread(stack: Stack) -> None:
    before = len(stack.emulator.messages(CHANNEL))
    client = stack.signed_client()
    started = time.monotonic()
    response = client.command("/cache-audit", "", user_id="U_ENGINEER", channel_id=CHANNEL)
    assert response.status == 200
    assert time.monotonic() - started < 3.0
    assert "queued for 1 account, 1 region" in response.json()["text"]

    duplicate = client.command("/cache-audit", "", user_id="U_ENGINEER", channel_id=CHANNEL)
    assert "already queued or running" in duplicate.json()["text"]

    parent = wait_for(lambda: _done_parent(stack, before), what="the finished parent message")
    parents = [
        m for m in stack.emulator.messages(CHANNEL)[before:] if "ElastiCache audit" in _all_text(m)
    ]
    assert len(parents) == 1, "the double submit must run once"
    thread = wait_for(
        lambda: [
            m for m in stack.emulator.thread(CHANNEL, parent["ts"]) if m["ts"] != parent["ts"]
        ],
        what="thread replies",
    )
    thread_text = _all_text(thread)
    # orders-prod is redis 5.0.6 with no TLS, no AUTH, no backups, one AZ.
    for rule in ("CW-101", "CW-103", "CW-201", "CW-401", "CW-403"):
        assert f"{rule}" in thread_text and "orders-prod" in thread_text
    # sessions-ok is compliant on those, so it must not fail them.
    assert "sessions-ok" not in thread_text or "CW-101" not in _section_for(thread, "sessions-ok")
    assert "finding_explain" in thread_text and "finding_request_fix" in thread_text
    # Issue 13: the summary names the worst problem with its resource; one line per finding.
    summary_text = _all_text(parent["blocks"])
    assert "Worst first:" in summary_text
    assert (
        "1. *HIGH* In-transit encryption is off" in summary_text and "`orders-prod`" in summary_text
    )
    assert "Also known as" not in thread_text
    wait_for(
        lambda: {f["name"].rsplit(".", 1)[-1] for f in stack.emulator.files()} >= {"csv", "json"},
        what="the CSV and JSON report files",
    )


def _section_for(thread: list[dict[str, Any]], resource: str) -> str:
    texts = []
    for message in thread:
        for block in message.get("blocks") or []:
            if resource in _all_text(block):
                texts.append(_all_text(block))
    return " ".join(texts)


def test_hostile_tag_value_renders_inert(stack: Stack) -> None:
    recorded = _all_text([call.params for call in stack.emulator.calls()])
    assert "<!channel>" not in recorded
    assert "<https://evil.example" not in recorded
    assert HOSTILE.split()[0] not in recorded


def test_explain_button_answers_only_the_clicker(stack: Stack) -> None:
    parent = wait_for(lambda: _done_parent(stack, 0), what="a finished audit")
    reply = next(
        m
        for m in stack.emulator.thread(CHANNEL, parent["ts"])
        if "finding_explain" in _all_text(m.get("blocks"))
    )
    client = stack.signed_client()
    # Explain is chosen from the finding's "..." menu; the option carries the button's id and value.
    menu = next(
        b["accessory"] for b in reply["blocks"] if b.get("accessory", {}).get("type") == "overflow"
    )
    explain = next(o["value"] for o in menu["options"] if o["value"].startswith("finding_explain:"))
    answer = client.click(reply, "finding_menu", explain, user_id="U_ENGINEER", channel_id=CHANNEL)
    assert answer.status == 200
    # Issue 13: a modal opened for the clicker alone (see test_explain_modal for its content).
    wait_for(
        lambda: [
            m
            for m in stack.emulator.modals("U_ENGINEER")
            if "Why it matters" in _all_text(m.view.get("blocks"))
        ],
        what="the explanation modal opened for the clicker",
    )
    assert stack.emulator.modals("U_OTHER") == []


@pytest.mark.parametrize(
    "tampering",
    [{"signature": "v0=deadbeef"}, {"timestamp": int(time.time()) - 600}, {"tamper": True}],
    ids=["bad-signature", "stale", "tampered-body"],
)
def test_unverified_requests_get_401_and_enqueue_nothing(
    stack: Stack, tampering: dict[str, Any]
) -> None:
    connection = redis.Redis.from_url(stack.redis.url)
    runs_before = len(list(connection.scan_iter("cw:run:*[!s]")))
    response = stack.signed_client().command(
        "/cache-audit", "region=eu-west-1", user_id="U_ENGINEER", channel_id=CHANNEL, **tampering
    )
    assert response.status == 401
    assert len(list(connection.scan_iter("cw:run:*[!s]"))) == runs_before


BAD_INPUT = [
    ("/cache-audit", "region=mars"),
    ("/cache-audit", "<!channel>"),
    ("/cache-audit", "ordérs☃"),
    ("/cache-audit", "x" * 1500),
    ("/cache-audit", "<@U_SECURITY|sam>"),
    ("/cache-explain", ""),
    ("/cache-explain", "EC-14"),
    ("/cache-explain", "<!here>"),
    ("/cache-rotate-token", ""),
    ("/cache-rotate-token", "two groups"),
]


@pytest.mark.parametrize(("command", "text"), BAD_INPUT)
def test_bad_input_gets_usage_and_no_job(stack: Stack, command: str, text: str) -> None:
    connection = redis.Redis.from_url(stack.redis.url)
    runs_before = len(list(connection.scan_iter("cw:run:*[!s]")))
    response = stack.signed_client().command(
        command, text, user_id="U_ENGINEER", channel_id=CHANNEL
    )
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Usage:" in _all_text(body)
    assert "<!channel>" not in _all_text(body) and "<!here>" not in _all_text(body)
    assert "Traceback" not in _all_text(body)
    assert len(list(connection.scan_iter("cw:run:*[!s]"))) == runs_before


def test_help_and_explain_answer_at_once(stack: Stack) -> None:
    client = stack.signed_client()
    helped = client.command("/cache-help", "", user_id="U_ENGINEER", channel_id=CHANNEL).json()
    assert "/cache-audit" in helped["text"]
    explained = client.command("/cache-explain", "EC-014", user_id="U_ENGINEER", channel_id=CHANNEL)
    text = _all_text(explained.json())
    assert "CW-101" in text and "CW-103" in text


def test_health_and_metrics(stack: Stack) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{stack.bot_url}/healthz") as answer:
        assert json.load(answer)["status"] == "ok"
    with urllib.request.urlopen(f"{stack.bot_url}/metrics") as answer:
        metrics = answer.read().decode()
    assert 'cachewarden_commands_total{command="/cache-audit",outcome="ok"}' in metrics
    assert "cachewarden_queue_depth" in metrics
    assert 'cachewarden_jobs_total{job="scan_part",outcome="ok"}' in metrics


def test_logs_are_json_lines_with_correlation_ids(stack: Stack) -> None:
    lines = [line for line in stack.logs().splitlines() if line.startswith("{")]
    events = [json.loads(line) for line in lines]
    enqueued = [e for e in events if e["event"] == "audit enqueued"]
    assert enqueued
    cid = enqueued[0]["correlation_id"]
    assert any(e["event"] == "audit fanned out" and e["correlation_id"] == cid for e in events)
