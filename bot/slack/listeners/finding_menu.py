"""The "..." menu on a finding line: each option stands for one of the finding buttons.

The option's value is the button's action id and its opaque finding id; the click is
answered exactly as that button's click would be (listeners.actions).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.actions import ActionId, parse_menu_value
from bot.slack.deps import BotDeps
from bot.slack.listeners import actions


def as_button_click(body: dict[str, Any]) -> dict[str, Any] | None:
    """The same payload as if the finding's button had been clicked, or None if not ours."""
    action = (body.get("actions") or [{}])[0]
    chosen = str((action.get("selected_option") or {}).get("value", ""))
    parsed = parse_menu_value(chosen)
    if parsed is None:
        return None
    action_id, finding_id = parsed
    clicked = {**action, "type": "button", "action_id": str(action_id), "value": finding_id}
    clicked.pop("selected_option", None)
    return {**body, "actions": [clicked]}


def handle_menu(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: BotDeps
) -> None:
    clicked = as_button_click(body)
    if clicked is None:
        ack()
        respond(
            replace_original=False,
            response_type="ephemeral",
            text="That option is not one of ours.",
        )
        return
    actions.handle_finding_click(ack, clicked, respond, client, deps)


def register(app: App, deps: BotDeps) -> None:
    def on_menu(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        handle_menu(ack, body, respond, client, deps)

    app.action(str(ActionId.FINDING_MENU))(on_menu)
