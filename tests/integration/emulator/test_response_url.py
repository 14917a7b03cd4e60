"""response_url semantics and what Slack shows for late or failed command acks."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_emulator import Response, ResponseTarget, SlackEmulator

pytestmark = pytest.mark.integration


def post(url: str, payload: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_default_response_is_ephemeral(emulator: SlackEmulator) -> None:
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    assert post(url, {"text": "only you"}) == (200, "ok")
    assert [m["text"] for m in emulator.ephemerals("C_PLATFORM", "U_ENGINEER")] == ["only you"]
    assert emulator.messages("C_PLATFORM") == []


def test_in_channel_response_is_a_channel_message(emulator: SlackEmulator) -> None:
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    post(url, {"text": "everyone", "response_type": "in_channel"})
    assert [m["text"] for m in emulator.messages("C_PLATFORM")] == ["everyone"]
    assert emulator.responses()[0].kind == "in_channel"


def test_replace_and_delete_original(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel="C_PLATFORM", text="pending")["ts"]
    target = ResponseTarget(channel="C_PLATFORM", user="U_SECURITY", message_ts=ts)
    post(emulator.new_response_url(target), {"replace_original": True, "text": "approved"})
    assert emulator.messages("C_PLATFORM")[0]["text"] == "approved"
    post(emulator.new_response_url(target), {"delete_original": True})
    assert emulator.messages("C_PLATFORM") == []


def test_replace_original_on_an_ephemeral_message(
    client: WebClient, emulator: SlackEmulator
) -> None:
    ts = client.chat_postEphemeral(channel="C_PLATFORM", user="U_ENGINEER", text="v1")["message_ts"]
    target = ResponseTarget("C_PLATFORM", "U_ENGINEER", message_ts=ts, message_is_ephemeral=True)
    post(emulator.new_response_url(target), {"replace_original": True, "text": "v2"})
    assert [m["text"] for m in emulator.ephemerals(user="U_ENGINEER")] == ["v2"]


def test_five_uses_then_used_url(emulator: SlackEmulator) -> None:
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    assert [post(url, {"text": str(i)})[0] for i in range(5)] == [200] * 5
    assert post(url, {"text": "sixth"}) == (404, "used_url")


@pytest.fixture
def clocked() -> Iterator[tuple[SlackEmulator, list[float]]]:
    now = [1_700_000_000.0]
    with SlackEmulator(clock=lambda: now[0]) as emu:
        yield emu, now


def test_response_urls_expire_after_thirty_minutes(clocked) -> None:
    emulator, now = clocked
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    now[0] += 30 * 60 + 1
    assert post(url, {"text": "late"}) == (404, "expired_url")


def test_trigger_ids_expire_after_three_seconds(clocked) -> None:
    emulator, now = clocked
    client = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    trigger = emulator.new_trigger_id("U_ENGINEER")
    now[0] += 3.5
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": []}
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id=trigger, view=modal)
    assert caught.value.response["error"] == "expired_trigger_id"


def test_unknown_response_url_and_empty_payload(emulator: SlackEmulator) -> None:
    assert post(emulator.base_url + "response/nope", {"text": "x"}) == (404, "invalid_token")
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    assert post(url, {}) == (400, "no_text")


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Response(status=200, body="", elapsed=3.4), "operation_timeout"),
        (Response(status=500, body="boom", elapsed=0.1), "dispatch_failed"),
    ],
)
def test_late_or_failed_acks_show_slackbot_errors(
    emulator: SlackEmulator, reply: Response, error: str
) -> None:
    url = emulator.new_response_url(ResponseTarget(channel="C_PLATFORM", user="U_ENGINEER"))
    emulator.deliver_command_reply(url, "/cache-audit", reply)
    (shown,) = emulator.ephemerals("C_PLATFORM", "U_ENGINEER")
    assert shown["user"] == "USLACKBOT" and error in shown["text"]
