"""The demo page and the JSON endpoints it uses."""

from __future__ import annotations

import re
import urllib.request

import pytest
from slack_sdk import WebClient

from sandbox.slack_emulator import SlackEmulator
from tests.integration.emulator.conftest import BoltSetup, http_json

pytestmark = pytest.mark.integration


def state(emulator: SlackEmulator, **query: str) -> dict:
    url = emulator.base_url + "_emulator/state?" + "&".join(f"{k}={v}" for k, v in query.items())
    status, body = http_json(url)
    assert status == 200
    return body


def test_page_is_one_self_contained_document(emulator: SlackEmulator) -> None:
    with urllib.request.urlopen(emulator.base_url, timeout=5) as reply:
        assert reply.headers["Content-Type"].startswith("text/html")
        page = reply.read().decode()
    assert "__PAGE_CSS__" not in page and "__PAGE_JS__" not in page
    assert ".message-list" in page and "/_emulator/state" in page
    assert not re.search(r"<(script|img|link)[^>]+(src|href)=", page)
    for testid in ("message-list", "composer-input", "user-switcher", "channel-list", "home-view"):
        assert f'data-testid="{testid}"' in page


def test_state_shows_the_channel_as_the_chosen_user_sees_it(
    client: WebClient, emulator: SlackEmulator
) -> None:
    parent = client.chat_postMessage(channel="C_SECURITY", text="*Finding* <@U_SECURITY>")["ts"]
    reply = client.chat_postMessage(channel="C_SECURITY", text="detail", thread_ts=parent)["ts"]
    client.chat_postEphemeral(channel="C_SECURITY", user="U_SECURITY", text="for Sam")
    client.chat_postEphemeral(channel="C_SECURITY", user="U_ENGINEER", text="for Erin")
    seen = state(emulator, channel="C_SECURITY", user="U_SECURITY", thread=parent)
    timeline = seen["timeline"]
    assert [e["ephemeral"] for e in timeline] == [False, True]
    assert timeline[0]["html"] == (
        '<div class="message-text"><b>Finding</b> '
        '<span class="mention" data-ref="U_SECURITY">@Sam Security</span></div>'
    )
    assert timeline[0]["reply_count"] == 1 and timeline[0]["author"] == "Cachewarden"
    assert "for Sam" in timeline[1]["html"]
    assert [m["ts"] for m in seen["thread"]["messages"]] == [parent, reply]
    assert {"id": "C_SECURITY", "name": "#security"} in seen["channels"]


def test_state_falls_back_to_the_first_channel_and_user(emulator: SlackEmulator) -> None:
    seen = state(emulator)
    assert (seen["channel"], seen["me"]) == ("C_PLATFORM", "U_ENGINEER")
    assert "U_BOT" not in [u["id"] for u in seen["users"]]


def test_page_command_and_click_go_through_the_bot(
    bolt: BoltSetup, emulator: SlackEmulator
) -> None:
    api = emulator.base_url + "_emulator/"
    status, outcome = http_json(
        api + "command",
        {"text": "/cache-audit staging", "user_id": "U_ENGINEER", "channel_id": "C_PLATFORM"},
    )
    assert status == 200 and outcome["status"] == 200
    message = emulator.messages("C_PLATFORM")[0]
    assert 'data-action-id="approve"' in state(emulator)["timeline"][0]["html"]
    status, outcome = http_json(
        api + "click",
        {
            "user_id": "U_SECURITY",
            "channel_id": "C_PLATFORM",
            "message_ts": message["ts"],
            "action_id": "approve",
        },
    )
    assert status == 200 and outcome["ok"]
    assert emulator.messages("C_PLATFORM")[0]["text"] == "Approved by <@U_SECURITY>"


def test_page_home_tab_and_messages(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    api = emulator.base_url + "_emulator/"
    assert http_json(api + "home_opened", {"user_id": "U_SECURITY"})[0] == 200
    home = state(emulator, user="U_SECURITY")["home"]
    assert "@Sam Security" in home["html"]
    status, _ = http_json(
        api + "message", {"text": "hi", "user_id": "U_ENGINEER", "channel_id": "C_PLATFORM"}
    )
    assert status == 200 and emulator.messages("C_PLATFORM")[0]["user"] == "U_ENGINEER"


def test_page_command_without_a_bot_explains_itself(emulator: SlackEmulator) -> None:
    status, body = http_json(
        emulator.base_url + "_emulator/command",
        {"text": "/cache-audit", "user_id": "U_ENGINEER", "channel_id": "C_PLATFORM"},
    )
    assert (status, body["error"]) == (503, "no_bot")
    (shown,) = emulator.ephemerals("C_PLATFORM", "U_ENGINEER")
    assert "no_app_connected" in shown["text"]


def test_unknown_emulator_action_and_bad_body(emulator: SlackEmulator) -> None:
    assert http_json(emulator.base_url + "_emulator/nope", {})[0] == 404
    assert http_json(emulator.base_url + "_emulator/faults", {})[0] == 400
