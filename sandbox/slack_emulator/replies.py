"""What Slack does with the app's HTTP answer (the ack) to a slash command or a view submission."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sandbox.slack_emulator.api_more import stamp_view
from sandbox.slack_emulator.response_urls import ResponseUrlError

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator
    from sandbox.slack_emulator.signed_client import Response

ACK_DEADLINE_SECONDS = 3.0
SLACKBOT = "USLACKBOT"


def reply_payload(body: str) -> dict[str, Any] | None:
    """An empty ack shows nothing; JSON is a message payload; other text is shown as is."""
    if not body.strip():
        return None
    try:
        decoded = json.loads(body)
    except json.JSONDecodeError:
        return {"text": body}
    return decoded if isinstance(decoded, dict) else {"text": body}


def deliver_command_reply(
    emulator: SlackEmulator, response_url: str, command: str, response: Response
) -> None:
    """Late or failed acks become Slackbot's error line, as in the Slack client."""
    url_id = response_url.rsplit("/", 1)[-1]
    if response.elapsed > ACK_DEADLINE_SECONDS:
        _slackbot_error(emulator, url_id, command, "operation_timeout")
        return
    if response.status != 200:
        _slackbot_error(emulator, url_id, command, "dispatch_failed")
        return
    payload = reply_payload(response.body)
    if payload is None:
        return
    try:
        emulator.respond(url_id, payload, counts=False)
    except ResponseUrlError:
        _slackbot_error(emulator, url_id, command, "invalid_response")


def _slackbot_error(emulator: SlackEmulator, url_id: str, command: str, code: str) -> None:
    target = emulator.response_urls.claim(url_id, emulator.mint.now(), counts=False)
    slackbot_error(emulator, target.channel, target.user, command, code)


def slackbot_error(
    emulator: SlackEmulator, channel: str, user: str, command: str, code: str
) -> None:
    """The grey "only visible to you" line Slack shows when an app fails a command."""
    text = f'`{command}` failed with the error "{code}"'
    emulator.message_store.add_ephemeral(channel, user, {"user": SLACKBOT, "text": text})


def apply_view_reply(emulator: SlackEmulator, view_id: str, response: Response) -> None:
    """response_action: errors keeps the modal open, update/push swap it, anything else closes it."""
    store = emulator.view_store
    current = store.find(view_id)
    if current is None:
        return
    if response.status != 200 or response.elapsed > ACK_DEADLINE_SECONDS:
        store.replace(view_id, current, {"": "We had some trouble connecting. Try again?"})
        return
    payload = reply_payload(response.body) or {}
    action = payload.get("response_action")
    if action == "errors":
        store.replace(view_id, current, dict(payload.get("errors") or {}))
    elif action in ("update", "push") and isinstance(payload.get("view"), dict):
        store.replace(view_id, stamp_view(emulator.context, payload["view"], view_id))
    else:
        store.close(view_id)
