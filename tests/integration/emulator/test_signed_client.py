"""SignedClient against a real Bolt app: signatures verify, forgeries get 401, flows round-trip."""

from __future__ import annotations

import time

import pytest

from sandbox.slack_emulator import SignedClient, SlackEmulator, find_button
from tests.integration.emulator.bolt_app import APPROVAL_BLOCKS
from tests.integration.emulator.conftest import BoltSetup

pytestmark = pytest.mark.integration


def run_audit(bolt: BoltSetup, emulator: SlackEmulator) -> dict:
    response = bolt.signed.command(
        "/cache-audit", "prod", user_id="U_ENGINEER", channel_id="C_PLATFORM"
    )
    assert response.status == 200, response.body
    return emulator.messages("C_PLATFORM")[-1]


def test_signed_command_reaches_the_listener(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    posted = run_audit(bolt, emulator)
    command = bolt.seen[0]
    assert (command["user_id"], command["channel_id"], command["text"]) == (
        "U_ENGINEER",
        "C_PLATFORM",
        "prod",
    )
    assert command["response_url"].startswith(emulator.base_url + "response/")
    assert posted["blocks"] == APPROVAL_BLOCKS
    # The ack text is shown to the invoking user only, like Slack does with a command reply.
    assert [m["text"] for m in emulator.ephemerals("C_PLATFORM", "U_ENGINEER")] == ["Auditing prod"]


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": "v0=" + "0" * 64},
        {"timestamp": int(time.time()) - 6 * 60},
        {"tamper": True},
    ],
    ids=["bad-signature", "stale-timestamp", "tampered-body"],
)
def test_forged_requests_get_401(bolt: BoltSetup, emulator: SlackEmulator, forgery: dict) -> None:
    response = bolt.signed.command(
        "/cache-audit", "prod", user_id="U_ENGINEER", channel_id="C_PLATFORM", **forgery
    )
    assert response.status == 401
    assert bolt.seen == [] and emulator.messages("C_PLATFORM") == []


def test_a_slightly_old_timestamp_still_verifies(bolt: BoltSetup) -> None:
    response = bolt.signed.command(
        "/cache-audit",
        "x",
        user_id="U_ENGINEER",
        channel_id="C_PLATFORM",
        timestamp=int(time.time()) - 60,
    )
    assert response.status == 200


def test_click_and_respond_replace_original(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    message = run_audit(bolt, emulator)
    response = bolt.signed.click(message, "approve", user_id="U_SECURITY", channel_id="C_PLATFORM")
    assert response.status == 200
    body = bolt.seen[-1]
    assert body["actions"][0]["value"] == "req-1"
    assert body["container"]["message_ts"] == message["ts"]
    (replaced,) = emulator.messages("C_PLATFORM")
    assert replaced["text"] == "Approved by <@U_SECURITY>" and replaced["blocks"] == []
    assert [r.kind for r in emulator.responses()] == ["ephemeral", "replace_original"]


def test_click_handled_with_chat_update(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    message = run_audit(bolt, emulator)
    bolt.signed.click(message, "reject", user_id="U_SECURITY2", channel_id="C_PLATFORM")
    (updated,) = emulator.messages("C_PLATFORM")
    assert updated["text"] == "Rejected" and updated["blocks"] == [] and "edited" in updated


def test_a_forged_value_is_sent_as_given(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    message = run_audit(bolt, emulator)
    bolt.signed.click(message, "approve", "req-999", user_id="U_OUTSIDER", channel_id="C_PLATFORM")
    assert bolt.seen[-1]["actions"][0]["value"] == "req-999"


def test_app_home_opened_publishes_a_home_view(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    event = {
        "type": "app_home_opened",
        "user": "U_SECURITY",
        "channel": "D_SECURITY",
        "tab": "home",
    }
    response = bolt.signed.event(event)
    assert response.status == 200
    assert bolt.seen[0]["user"] == "U_SECURITY"
    home = emulator.home_views()["U_SECURITY"]
    assert home["blocks"][0]["text"]["text"] == "Hello <@U_SECURITY>"


def test_event_retries_carry_the_same_event_id(bolt: BoltSetup) -> None:
    event = {
        "type": "app_home_opened",
        "user": "U_ENGINEER",
        "channel": "D_ENGINEER",
        "tab": "home",
    }
    bolt.signed.event(event, event_id="Ev123")
    bolt.signed.event(event, event_id="Ev123", retry_num=1)
    assert len(bolt.seen) == 2  # Bolt has no dedupe: the app must do it on event_id


def test_modal_errors_then_closes(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    bolt.signed.command("/cache-why", "", user_id="U_ENGINEER", channel_id="C_PLATFORM")
    (opened,) = emulator.modals("U_ENGINEER")
    view = opened.view
    short = bolt.signed.submit_view(view, {"reason": {"text": "no"}}, user_id="U_ENGINEER")
    assert short.status == 200
    assert emulator.modals("U_ENGINEER")[0].errors == {"reason": "Say a bit more"}
    bolt.signed.submit_view(view, {"reason": {"text": "rotating the token"}}, user_id="U_ENGINEER")
    assert emulator.modals("U_ENGINEER") == []
    assert bolt.seen[-1]["state"]["values"]["reason"]["text"]["value"] == "rotating the token"


def test_views_open_needs_a_fresh_trigger(emulator: SlackEmulator, client) -> None:
    from slack_sdk.errors import SlackApiError

    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": []}
    with pytest.raises(SlackApiError) as caught:
        client.views_open(trigger_id="123.456.abc", view=modal)
    assert caught.value.response["error"] == "invalid_trigger_id"


def test_client_without_emulator_still_signs(bolt: BoltSetup, emulator: SlackEmulator) -> None:
    bare = SignedClient(bolt.url, emulator.signing_secret, None)
    response = bare.command("/cache-audit", "dev", user_id="U_ENGINEER", channel_id="C_PLATFORM")
    assert response.status == 200 and response.elapsed < 3
    assert bolt.seen[0]["text"] == "dev"


def test_find_button_reports_block_and_missing_actions() -> None:
    button = find_button(APPROVAL_BLOCKS, "reject")
    assert (button["block_id"], button["style"], button["value"]) == ("decide", "danger", "req-1")
    with pytest.raises(LookupError):
        find_button(APPROVAL_BLOCKS, "escalate")
