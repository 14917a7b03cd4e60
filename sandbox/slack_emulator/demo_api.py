"""POST /_emulator/<action>: what the demo page (and tests) ask the emulator to do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sandbox.slack_emulator.page_state import page_state
from sandbox.slack_emulator.replies import slackbot_error
from sandbox.slack_emulator.signed_client import Response, SignedClient

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator

Outcome = tuple[int, dict[str, Any]]
Action = Callable[["SlackEmulator", dict[str, Any]], Outcome]

__all__ = ["POST_ACTIONS", "page_state"]


def add_fault(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    emulator.fail_next(
        str(body["method"]),
        status=int(body.get("status", 429)),
        retry_after=int(body.get("retry_after", 1)),
        count=int(body.get("count", 1)),
        error=body.get("error"),
    )
    return 200, {"ok": True}


def reset(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    emulator.reset()
    return 200, {"ok": True}


def _client(emulator: SlackEmulator) -> SignedClient | None:
    return emulator.signed_client() if emulator.bot_url else None


def _outcome(response: Response) -> Outcome:
    return 200, {
        "ok": response.status == 200,
        "status": response.status,
        "elapsed": round(response.elapsed, 3),
        "body": response.body,
    }


def run_command(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    """Typed text like "/cache-audit scan prod" goes to the bot as a signed slash command."""
    typed = str(body.get("text", "")).strip()
    command, _, text = typed.partition(" ")
    user, channel = str(body["user_id"]), str(body["channel_id"])
    if not command.startswith("/"):
        return 400, {"ok": False, "error": "not_a_command"}
    client = _client(emulator)
    if client is None:
        slackbot_error(emulator, channel, user, command, "no_app_connected")
        return 503, {"ok": False, "error": "no_bot"}
    try:
        response = client.command(command, text.strip(), user_id=user, channel_id=channel)
    except OSError:
        slackbot_error(emulator, channel, user, command, "dispatch_failed")
        return 502, {"ok": False, "error": "bot_unreachable"}
    return _outcome(response)


def run_click(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    """A click on a message button (by channel + ts) or on a view button (by view_id)."""
    client = _client(emulator)
    if client is None:
        return 503, {"ok": False, "error": "no_bot"}
    user, action_id, value = str(body["user_id"]), str(body["action_id"]), body.get("value")
    try:
        if body.get("view_id"):
            view = emulator.view_store.find(str(body["view_id"]))
            if view is None:
                return 404, {"ok": False, "error": "view_not_found"}
            return _outcome(client.click_view(view, action_id, value, user_id=user))
        message = _clicked_message(emulator, body)
        if message is None:
            return 404, {"ok": False, "error": "message_not_found"}
        channel = str(body["channel_id"])
        return _outcome(client.click(message, action_id, value, user_id=user, channel_id=channel))
    except LookupError:
        return 404, {"ok": False, "error": "action_not_found"}
    except OSError:
        return 502, {"ok": False, "error": "bot_unreachable"}


def _clicked_message(emulator: SlackEmulator, body: dict[str, Any]) -> dict[str, Any] | None:
    ts = str(body["message_ts"])
    if body.get("ephemeral"):
        return emulator.message_store.find_ephemeral(ts)
    return emulator.message_store.find(str(body["channel_id"]), ts)


def post_message(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    text = str(body.get("text", "")).strip()
    if not text:
        return 400, {"ok": False, "error": "no_text"}
    stored = emulator.post_user_message(
        str(body["channel_id"]), str(body["user_id"]), text, body.get("thread_ts") or None
    )
    return 200, {"ok": True, "ts": stored["ts"]}


def open_home(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    """Opening the App Home tab sends app_home_opened, which the bot answers with views.publish."""
    client = _client(emulator)
    if client is None:
        return 503, {"ok": False, "error": "no_bot"}
    user = str(body["user_id"])
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
    try:
        return _outcome(client.event(event))
    except OSError:
        return 502, {"ok": False, "error": "bot_unreachable"}


def submit_view(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    client = _client(emulator)
    view = emulator.view_store.find(str(body["view_id"]))
    if client is None or view is None:
        return 404, {"ok": False, "error": "view_not_found" if client else "no_bot"}
    try:
        response = client.submit_view(
            view, dict(body.get("values") or {}), user_id=str(body["user_id"])
        )
    except OSError:
        return 502, {"ok": False, "error": "bot_unreachable"}
    return _outcome(response)


def close_view(emulator: SlackEmulator, body: dict[str, Any]) -> Outcome:
    emulator.view_store.close(str(body["view_id"]))
    return 200, {"ok": True}


POST_ACTIONS: Mapping[str, Action] = MappingProxyType(
    {
        "faults": add_fault,
        "reset": reset,
        "command": run_command,
        "click": run_click,
        "message": post_message,
        "home_opened": open_home,
        "submit": submit_view,
        "close_view": close_view,
    }
)
