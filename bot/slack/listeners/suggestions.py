"""A click on a suggestion button runs that command for the clicker, as if they had typed it.

The same parsing, channel check, scope check and enqueueing run as for a typed command
(`commands.handle_command`); the answer replaces the private message the button was in.
Only "Scan anyway" skips the scope check, because the index of known caches may be older
than the cache the user named.
"""

from __future__ import annotations

from typing import Any, cast

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.deps import BotDeps
from bot.slack.listeners.commands import SKIP_SCOPE_CHECK, handle_command
from bot.slack.listeners.replies import notice_payload
from bot.slack.render.slack_usage import RUN_SUGGESTION_PATTERN, parse_suggestion


def command_body(body: dict[str, Any], command: str, text: str, skip_check: bool) -> dict[str, Any]:
    """The slash-command body the clicker would have sent, built from the click."""
    container = body.get("container") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    user = body.get("user") or {}
    built: dict[str, Any] = {
        "command": command,
        "text": text,
        "user_id": str(user.get("id", "")),
        "user_name": str(user.get("username") or user.get("name") or ""),
        "channel_id": channel,
        "team_id": str((body.get("team") or {}).get("id", "")),
    }
    if skip_check:
        built[SKIP_SCOPE_CHECK] = True
    return built


def handle_suggestion(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: BotDeps
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    suggestion = parse_suggestion(str(action.get("value", "")))
    if suggestion is None:
        respond(**notice_payload("That button is not one of ours."), replace_original=True)
        return
    answers: list[dict[str, Any]] = []
    built = command_body(body, suggestion.command, suggestion.text, suggestion.skip_scope_check)
    capture = cast(Ack, lambda **payload: answers.append(payload))  # ack() kwargs are the answer
    handle_command(capture, built, deps, client)
    for payload in answers:
        respond(**{**payload, "replace_original": True})


def register(app: App, deps: BotDeps) -> None:
    def on_click(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        handle_suggestion(ack, body, respond, client, deps)

    app.action(RUN_SUGGESTION_PATTERN)(on_click)
