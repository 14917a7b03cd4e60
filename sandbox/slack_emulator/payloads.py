"""The bodies Slack sends to an app, shaped like the real ones (fields Bolt reads included)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sandbox.slack_emulator.api_context import public_message
from sandbox.slack_emulator.workspace import Workspace

# Slack still sends the legacy verification token; apps must not rely on it.
VERIFICATION_TOKEN = "emulator-verification-token"


@dataclass(frozen=True)
class Invocation:
    """Who acted, where, and the one-off URLs and trigger minted for this request."""

    user_id: str
    channel_id: str | None
    team_id: str | None
    response_url: str | None
    trigger_id: str


def command_fields(ws: Workspace, who: Invocation, command: str, text: str) -> dict[str, str]:
    user = ws.user(who.user_id)
    channel = ws.channel(who.channel_id or "")
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": who.team_id or ws.team_id,
        "team_domain": ws.team_domain,
        "channel_id": who.channel_id or "",
        "channel_name": channel.name if channel else "unknown",
        "user_id": who.user_id,
        "user_name": user.name if user else who.user_id,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": who.response_url or "",
        "trigger_id": who.trigger_id,
    }


def _common(ws: Workspace, who: Invocation, kind: str) -> dict[str, Any]:
    user = ws.user(who.user_id)
    name = user.name if user else who.user_id
    return {
        "type": kind,
        "user": {"id": who.user_id, "username": name, "name": name, "team_id": ws.team_id},
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": who.trigger_id,
        "team": {"id": who.team_id or ws.team_id, "domain": ws.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def action(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """actions[0]: a button carries value; selects carry selected_option."""
    base = {
        "action_id": element.get("action_id"),
        "block_id": element.get("block_id"),
        "type": element.get("type", "button"),
        "action_ts": f"{time.time():.6f}",
    }
    if element.get("type") in ("static_select", "overflow", "radio_buttons"):
        chosen = value if value is not None else _first_option_value(element)
        option = next(
            (o for o in element.get("options") or [] if o.get("value") == chosen),
            {"text": {"type": "plain_text", "text": str(chosen)}, "value": chosen},
        )
        return {**base, "selected_option": option}
    base["text"] = element.get("text")
    base["value"] = value if value is not None else element.get("value", "")
    if element.get("style"):
        base["style"] = element["style"]
    return base


def _first_option_value(element: dict[str, Any]) -> str:
    options = element.get("options") or [{}]
    return str(options[0].get("value", ""))


def message_click(
    ws: Workspace,
    who: Invocation,
    message: dict[str, Any],
    element: dict[str, Any],
    value: str | None,
) -> dict[str, Any]:
    """Slack leaves `message` out when the clicked message was ephemeral."""
    ephemeral = bool(message.get("is_ephemeral"))
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message.get("ts"),
        "channel_id": who.channel_id,
        "is_ephemeral": ephemeral,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    channel = ws.channel(who.channel_id or "")
    body = {
        **_common(ws, who, "block_actions"),
        "container": container,
        "channel": {"id": who.channel_id, "name": channel.name if channel else ""},
        "state": {"values": {}},
        "response_url": who.response_url,
        "actions": [action(element, value)],
    }
    if not ephemeral:
        body["message"] = public_message(message)
    return body


def view_click(
    ws: Workspace,
    who: Invocation,
    view: dict[str, Any],
    element: dict[str, Any],
    value: str | None,
) -> dict[str, Any]:
    return {
        **_common(ws, who, "block_actions"),
        "container": {"type": "view", "view_id": view.get("id")},
        "view": view,
        "actions": [action(element, value)],
    }


def state_values(values: dict[str, Any]) -> dict[str, Any]:
    """Accept {block: {action: "text"}} shorthand or Slack's full {type, value} objects."""
    full: dict[str, Any] = {}
    for block_id, actions in values.items():
        full[block_id] = {
            action_id: state
            if isinstance(state, dict)
            else {"type": "plain_text_input", "value": state}
            for action_id, state in actions.items()
        }
    return full


def view_submission(
    ws: Workspace, who: Invocation, view: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    submitted = {**view, "state": {"values": state_values(values)}}
    return {**_common(ws, who, "view_submission"), "view": submitted, "response_urls": []}


def event_callback(
    ws: Workspace, event: dict[str, Any], event_id: str, now: float
) -> dict[str, Any]:
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "api_app_id": ws.app_id,
        "event": {"event_ts": f"{now:.6f}", **event},
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
