"""The Web API as a real slack_sdk WebClient sees it."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_emulator import SlackEmulator
from tests.integration.emulator.conftest import http_json

pytestmark = pytest.mark.integration

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_auth_test_answers_with_the_bot_identity(client: WebClient) -> None:
    reply = client.auth_test()
    assert (reply["user_id"], reply["bot_id"], reply["team_id"]) == ("U_BOT", "B_BOT", "T_DEMO")


def test_wrong_or_missing_token_is_refused(emulator: SlackEmulator) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=emulator.api_url)
    assert error_of(wrong.auth_test) == "invalid_auth"
    assert error_of(WebClient(base_url=emulator.api_url).auth_test) == "not_authed"
    assert (
        error_of(lambda: wrong.chat_postMessage(channel="C_PLATFORM", text="x")) == "invalid_auth"
    )
    assert emulator.messages("C_PLATFORM") == []


def test_post_message_stores_blocks_and_returns_increasing_ts(
    client: WebClient, emulator: SlackEmulator
) -> None:
    first = client.chat_postMessage(channel="C_PLATFORM", text="fallback", blocks=[SECTION])
    second = client.chat_postMessage(channel="C_PLATFORM", text="again")
    assert re.fullmatch(r"\d{10}\.\d{6}", first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [SECTION]
    assert first["message"]["bot_id"] == "B_BOT"
    stored = emulator.messages("C_PLATFORM")
    assert [m["ts"] for m in stored] == [first["ts"], second["ts"]]
    assert stored[0]["text"] == "fallback" and stored[0]["reply_count"] == 0


def test_form_encoded_call_with_json_string_blocks(
    client: WebClient, emulator: SlackEmulator
) -> None:
    params = {"channel": "C_SECURITY", "text": "form", "blocks": json.dumps([SECTION])}
    reply = client.api_call("chat.postMessage", params=params)
    assert reply["ok"]
    assert emulator.messages("C_SECURITY")[0]["blocks"] == [SECTION]


def test_threads_replies_and_history(client: WebClient, emulator: SlackEmulator) -> None:
    parent = client.chat_postMessage(channel="C_PLATFORM", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C_PLATFORM", text="r1", thread_ts=parent)["ts"]
    # Replying to a reply lands in the parent's thread, as in Slack.
    client.chat_postMessage(channel="C_PLATFORM", text="r2", thread_ts=reply)
    client.chat_postMessage(channel="C_PLATFORM", text="later")
    top = emulator.messages("C_PLATFORM")
    assert [m["text"] for m in top] == ["parent", "later"]
    assert top[0]["reply_count"] == 2 and top[0]["reply_users"] == ["U_BOT"]
    assert [m["text"] for m in emulator.thread("C_PLATFORM", parent)] == ["parent", "r1", "r2"]
    replies = client.conversations_replies(channel="C_PLATFORM", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "r1", "r2"]
    history = client.conversations_history(channel="C_PLATFORM", limit=1)
    assert [m["text"] for m in history["messages"]] == ["later"] and history["has_more"]


def test_update_edits_bot_messages_only(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel="C_PLATFORM", text="v1", blocks=[SECTION])["ts"]
    client.chat_update(channel="C_PLATFORM", ts=ts, text="v2")
    stored = emulator.messages("C_PLATFORM")[0]
    assert stored["text"] == "v2" and stored["blocks"] == [SECTION] and "edited" in stored
    human = emulator.post_user_message("C_PLATFORM", "U_ENGINEER", "mine")
    update = client.chat_update
    assert error_of(lambda: update(channel="C_PLATFORM", ts=human["ts"], text="x")) == (
        "cant_update_message"
    )
    assert error_of(lambda: update(channel="C_PLATFORM", ts="1.000001", text="x")) == (
        "message_not_found"
    )


def test_ephemeral_messages_are_kept_per_user(client: WebClient, emulator: SlackEmulator) -> None:
    reply = client.chat_postEphemeral(channel="C_SECURITY", user="U_SECURITY", text="psst")
    assert reply["message_ts"]
    assert [m["text"] for m in emulator.ephemerals(user="U_SECURITY")] == ["psst"]
    assert emulator.ephemerals(user="U_ENGINEER") == []
    assert emulator.messages("C_SECURITY") == []
    post = client.chat_postEphemeral
    assert error_of(lambda: post(channel="C_SECURITY", user="U_NOBODY", text="x")) == (
        "user_not_in_channel"
    )


def test_permalink_opens_the_demo_page(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel="C_PLATFORM", text="link me")["ts"]
    link = client.chat_getPermalink(channel="C_PLATFORM", message_ts=ts)["permalink"]
    path = f"archives/C_PLATFORM/p{ts.replace('.', '')}"
    assert link == f"https://cachewarden-demo.slack.com/{path}"  # Slack's shape
    with urllib.request.urlopen(f"{emulator.base_url}{path}", timeout=5) as page:
        assert page.status == 200
        assert f"ts={ts}" in page.url and "channel=C_PLATFORM" in page.url


def test_directory_lookups(client: WebClient) -> None:
    assert client.users_info(user="U_SECURITY")["user"]["real_name"] == "Sam Security"
    members = client.usergroups_users_list(usergroup="S_SECURITY")["users"]
    assert members == ["U_SECURITY", "U_SECURITY2"]
    assert client.conversations_info(channel="C_SECURITY")["channel"]["name"] == "security"
    assert error_of(lambda: client.users_info(user="U_GHOST")) == "user_not_found"
    assert error_of(lambda: client.usergroups_users_list(usergroup="S_NONE")) == "no_such_subteam"
    assert error_of(lambda: client.conversations_info(channel="C_NONE")) == "channel_not_found"


def test_posting_to_a_user_id_lands_in_the_dm(client: WebClient, emulator: SlackEmulator) -> None:
    reply = client.chat_postMessage(channel="U_ENGINEER", text="direct")
    assert reply["channel"] == "D_ENGINEER"
    assert emulator.messages("D_ENGINEER")[0]["text"] == "direct"


def test_unknown_method(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.scheduleMessage")) == "unknown_method"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"channel": "C_PLATFORM", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        (
            {
                "channel": "C_PLATFORM",
                "blocks": [{**SECTION, "text": {"type": "mrkdwn", "text": "x" * 3001}}],
            },
            "invalid_blocks",
        ),
        ({"channel": "C_PLATFORM", "blocks": [{"type": "marquee"}]}, "invalid_blocks"),
        ({"channel": "C_PLATFORM"}, "no_text"),
        ({"text": "where?"}, "channel_not_found"),
        ({"channel": "C_NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": "C_PLATFORM", "text": "x", "thread_ts": "yesterday"}, "invalid_thread_ts"),
        ({"channel": "C_PLATFORM", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_slack_limits_are_enforced(
    client: WebClient, emulator: SlackEmulator, body: dict, error: str
) -> None:
    assert error_of(lambda: client.api_call("chat.postMessage", json=body)) == error
    assert emulator.messages("C_PLATFORM") == []


def test_exactly_fifty_blocks_and_3000_characters_pass(client: WebClient) -> None:
    long_section = {**SECTION, "text": {"type": "mrkdwn", "text": "x" * 3000}}
    assert client.chat_postMessage(channel="C_PLATFORM", text="t", blocks=[long_section] * 50)["ok"]


def test_invalid_blocks_names_the_offending_block(client: WebClient) -> None:
    button = {
        "type": "button",
        "action_id": "a",
        "value": "v" * 2001,
        "text": {"type": "plain_text", "text": "Go"},
    }
    blocks = [SECTION, {"type": "actions", "elements": [button]}]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C_PLATFORM", text="t", blocks=blocks)
    assert any("/blocks/1/elements/0/value" in e for e in caught.value.response["errors"])


def test_every_call_is_recorded(client: WebClient, emulator: SlackEmulator) -> None:
    client.chat_postMessage(channel="C_PLATFORM", text="one")
    with pytest.raises(SlackApiError):
        client.users_info(user="U_GHOST")
    posted = emulator.calls("chat.postMessage")
    assert len(posted) == 1 and posted[0].params["text"] == "one" and posted[0].response["ok"]
    status, calls = http_json(emulator.base_url + "_emulator/calls")
    assert status == 200
    assert [c["method"] for c in calls] == ["chat.postMessage", "users.info"]
    assert calls[1]["response"]["error"] == "user_not_found"


def test_channel_names_resolve_like_ids(client: WebClient, emulator: SlackEmulator) -> None:
    assert client.chat_postMessage(channel="#security", text="by name")["channel"] == "C_SECURITY"
    assert emulator.messages("C_SECURITY")[0]["text"] == "by name"


def test_broken_json_body_is_invalid_json(emulator: SlackEmulator) -> None:
    request = urllib.request.Request(
        emulator.api_url + "chat.postMessage",
        data=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": "Bearer xoxb-emulator"},
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert json.loads(reply.read()) == {"ok": False, "error": "invalid_json"}


def test_a_custom_workspace() -> None:
    from sandbox.slack_emulator import Channel, User, Workspace

    workspace = Workspace(
        users=(User("U_A", "ann", "Ann Admin"), User("U_BOT", "bot", "Bot", is_bot=True)),
        channels=(Channel("C_OPS", "ops"),),
        usergroups={"S_OPS": ("U_A",)},
    )
    with SlackEmulator(workspace=workspace, bot_token="xoxb-other") as emulator:
        client = WebClient(token="xoxb-other", base_url=emulator.api_url)
        assert client.usergroups_users_list(usergroup="S_OPS")["users"] == ["U_A"]
        assert client.users_info(user="U_A")["user"]["real_name"] == "Ann Admin"
        assert error_of(lambda: client.users_info(user="U_ENGINEER")) == "user_not_found"
        assert client.chat_postMessage(channel="C_OPS", text="hi")["ok"]
