"""Fault injection: rate limits with Retry-After, server errors, Slack errors on demand."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from sandbox.slack_emulator import SlackEmulator
from tests.integration.emulator.conftest import http_json

pytestmark = pytest.mark.integration


def test_rate_limit_retry_after_is_honoured_by_the_sdk_handler(emulator: SlackEmulator) -> None:
    client = WebClient(
        token=emulator.bot_token,
        base_url=emulator.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    reply = client.chat_postMessage(channel="C_PLATFORM", text="eventually")
    waited = time.monotonic() - started
    assert reply["ok"] and waited >= 1.0
    calls = emulator.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 1.0
    assert [m["text"] for m in emulator.messages("C_PLATFORM")] == ["eventually"]


def test_without_a_retry_handler_the_429_surfaces_with_its_header(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C_PLATFORM", text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C_PLATFORM", text="x")["ok"]


def test_faults_only_hit_their_method_and_count(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.fail_next("chat.update", status=500, count=2)
    assert client.chat_postMessage(channel="C_PLATFORM", text="unaffected")["ok"]
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            client.chat_update(channel="C_PLATFORM", ts="1.000001", text="x")
        assert caught.value.response.status_code == 500
        assert caught.value.response["error"] == "internal_error"
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel="C_PLATFORM", ts="1.000001", text="x")
    assert caught.value.response["error"] == "message_not_found"


def test_faults_over_http_can_return_any_slack_error(
    client: WebClient, emulator: SlackEmulator
) -> None:
    status, body = http_json(
        emulator.base_url + "_emulator/faults",
        {"method": "views.publish", "status": 200, "error": "not_enabled"},
    )
    assert (status, body) == (200, {"ok": True})
    view = {"type": "home", "blocks": []}
    with pytest.raises(SlackApiError) as caught:
        client.views_publish(user_id="U_ENGINEER", view=view)
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "not_enabled"
    assert client.views_publish(user_id="U_ENGINEER", view=view)["ok"]


def test_reset_forgets_state_calls_and_faults(client: WebClient, emulator: SlackEmulator) -> None:
    client.chat_postMessage(channel="C_PLATFORM", text="x")
    emulator.fail_next("auth.test")
    emulator.reset()
    assert emulator.messages("C_PLATFORM") == [] and emulator.calls() == []
    assert client.auth_test()["ok"]
