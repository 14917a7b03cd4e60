"""The Teams bot as a real process in production auth mode, against the connector emulator."""

from __future__ import annotations

import json

import pytest
import redis

from bot.teams.references import ConversationStore
from sandbox.teams_connector.client import CHANNEL, Forgery, Person, TeamsClient
from tests.integration.teams.conftest import TeamsStack, wait_for
from tests.unit.teams.card_checks import all_text, assert_valid_card

pytestmark = pytest.mark.integration


def _card(posted: dict[str, object]) -> dict[str, object]:
    activity = posted["activity"]
    assert isinstance(activity, dict)
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, object] = attachment["content"]
    assert_valid_card(card)
    return card


def _reply_to(teams: TeamsStack, activity: dict[str, object]) -> dict[str, object]:
    """The bot's reply to `activity`, once it reached the emulated connector."""

    def found() -> dict[str, object] | None:
        for posted in teams.posted():
            if posted["activity"].get("replyToId") == activity["id"]:
                return posted
        return None

    return wait_for(found, what=f"a reply to {activity['id']}")


@pytest.mark.parametrize(
    "forgery",
    [
        Forgery(no_token=True),
        Forgery(audience="another-bot"),
        Forgery(issuer="https://sts.windows.net/attacker/"),
        Forgery(expired=True),
        Forgery(other_key=True),
        Forgery(service_url="https://evil.example/"),
    ],
    ids=[
        "no header",
        "wrong audience",
        "wrong issuer",
        "expired",
        "unknown key",
        "other serviceurl",
    ],
)
def test_forged_requests_are_refused_and_answered_nowhere(
    teams: TeamsStack, forgery: Forgery
) -> None:
    before = len(teams.requests())
    activity = teams.client.message_activity("help")
    response = teams.client.send(activity, forgery)
    assert response.status == 401
    assert response.json() == {"error": "unauthorized"}
    assert len(teams.requests()) == before  # nothing was sent to the connector


def test_a_valid_token_passes_and_the_reply_carries_the_app_token(teams: TeamsStack) -> None:
    activity = teams.client.message_activity("help")
    response = teams.client.send(activity)
    assert response.status in (200, 202)
    reply = _reply_to(teams, activity)
    auth = str(reply["auth"])
    assert auth.startswith("Bearer emu.")
    assert auth.removeprefix("Bearer ") in teams.emulator.issued  # from MSAL via the token endpoint
    (request,) = [
        r for r in teams.requests() if r["raw_path"].endswith(f"/activities/{activity['id']}")
    ]
    # The thread's conversation id goes into the URL unencoded.
    assert ";messageid=" in request["raw_path"] and "%3B" not in request["raw_path"]


def test_help_in_a_channel_thread(teams: TeamsStack) -> None:
    activity = teams.client.message_activity("help")
    teams.client.send(activity)
    reply = _reply_to(teams, activity)
    assert reply["conversation"] == CHANNEL
    assert reply["root"] == activity["conversation"]["id"].split(";messageid=")[1]
    text = all_text(_card(reply))
    assert "explain <id>" in text and "rotate-token <group>" in text
    assert "/cache-" not in text


def test_explain_end_to_end_in_personal_chat(teams: TeamsStack) -> None:
    person = Person(aad_object_id="aad-bob", teams_id="29:bob", name="Bob")
    chat = TeamsClient.personal(person)
    activity = teams.client.message_activity("explain EC-014", conversation=chat, person=person)
    teams.client.send(activity)
    reply = _reply_to(teams, activity)
    assert reply["conversation"] == chat["id"]
    text = all_text(_card(reply))
    assert text.startswith("EC-014")
    assert "CW-" in text


def test_bad_input_gets_the_usage_answer(teams: TeamsStack) -> None:
    activity = teams.client.message_activity("explain NOPE-999")
    teams.client.send(activity)
    text = all_text(_card(_reply_to(teams, activity)))
    assert "NOPE" in text
    assert "Usage: explain <rule-id-or-alias>" in text


def test_audit_is_queued_for_this_conversation(teams: TeamsStack) -> None:
    activity = teams.client.message_activity("audit orders-prod")
    teams.client.send(activity)
    text = all_text(_card(_reply_to(teams, activity)))
    assert "queued for" in text and "Results will be posted in this channel" in text
    connection = redis.Redis.from_url(teams.redis.url)
    runs = [
        connection.hgetall(k)
        for k in connection.scan_iter("cw:run:*")
        if connection.type(k) == b"hash"
    ]
    assert any(run.get(b"channel") == CHANNEL.encode() for run in runs)


def test_a_click_on_an_unknown_request_changes_nothing(teams: TeamsStack) -> None:
    before = len(teams.posted())
    activity = teams.client.invoke_activity(
        "approval.approve", {"request_id": "req12345"}, reply_to_id="17"
    )
    response = teams.client.send(activity)
    assert response.status == 200
    body = response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == "This request is no longer known; ask for a new one."
    assert len(teams.posted()) == before


def test_an_unknown_verb_is_not_ours(teams: TeamsStack) -> None:
    activity = teams.client.invoke_activity("launch.missiles", {}, reply_to_id="17")
    body = teams.client.send(activity).json()
    assert body["value"] == "That button is not one of ours."


def test_the_first_turn_stores_the_conversation_reference(teams: TeamsStack) -> None:
    activity = teams.client.message_activity("help")
    teams.client.send(activity)
    _reply_to(teams, activity)
    ref = ConversationStore(redis.Redis.from_url(teams.redis.url)).get(CHANNEL)
    assert ref is not None
    assert ref.service_url == teams.emulator.service_url
    assert ref.conversation_type == "channel" and ref.tenant_id
    stored = json.dumps(ref.model_dump())
    assert "Bearer" not in stored and "emu." not in stored  # ids and URLs only, no tokens
