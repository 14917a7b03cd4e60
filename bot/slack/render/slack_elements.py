"""Block Kit constructors that cannot exceed Slack's per-element limits.

Callers pass mrkdwn that is already escaped, and plain text as it should read: Slack
shows `plain_text` verbatim (no mentions, links or entities), so escaping it would show
`&lt;` to the reader. These functions only cap lengths, a last defence against `invalid_blocks`.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.render.mrkdwn import truncate

Block = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_SECTION_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_OVERFLOW_OPTIONS = 5
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_FALLBACK_TEXT = 3000  # Slack allows far more; a notification needs far less
_EMPTY = "-"  # text objects must hold at least one character


def _non_empty(text: str) -> str:
    return text if text.strip() else _EMPTY


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _non_empty(truncate(text, limit)), "emoji": False}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    # verbatim stops Slack from auto-linking bare URLs and #channel names in our values.
    return {"type": "mrkdwn", "text": _non_empty(truncate(text, limit)), "verbatim": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def fields_section(fields: list[str]) -> Block:
    shown = fields[:MAX_SECTION_FIELDS]
    return {"type": "section", "fields": [mrkdwn(field, MAX_FIELD_TEXT) for field in shown]}


def context(*texts: str) -> Block:
    shown = [text for text in texts if text.strip()][:MAX_CONTEXT_ELEMENTS] or [_EMPTY]
    return {"type": "context", "elements": [mrkdwn(text) for text in shown]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    """A button whose value must already be a short opaque id (it is never cut)."""
    if not value or len(value) > MAX_BUTTON_VALUE or len(action_id) > MAX_ACTION_ID:
        raise ValueError("button value and action_id must fit Slack's limits uncut")
    element: Block = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def option(text: str, value: str) -> Block:
    """An overflow or select option whose value is an opaque token (never cut)."""
    if not value or len(value) > MAX_OPTION_VALUE:
        raise ValueError("option value must fit Slack's limit uncut")
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


def overflow(action_id: str, options: list[Block]) -> Block:
    """The "..." menu: 2 to 5 options per Slack's reference; one is padded by the caller."""
    if not 2 <= len(options) <= MAX_OVERFLOW_OPTIONS or len(action_id) > MAX_ACTION_ID:
        raise ValueError(f"an overflow menu holds 2 to {MAX_OVERFLOW_OPTIONS} options")
    return {"type": "overflow", "action_id": action_id, "options": options}


def confirm_dialog(title: str, text: str, yes: str, no: str, *, style: str = "primary") -> Block:
    """A button's confirmation dialog (Slack's `confirm` object), capped to its limits."""
    return {
        "title": plain(title, MAX_CONFIRM_TITLE),
        "text": plain(text, MAX_CONFIRM_TEXT),
        "confirm": plain(yes, MAX_CONFIRM_BUTTON),
        "deny": plain(no, MAX_CONFIRM_BUTTON),
        "style": style,
    }


def section_with(text: str, accessory: Block) -> Block:
    return {"type": "section", "text": mrkdwn(text), "accessory": accessory}


def actions(elements: list[Block]) -> Block:
    if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
        raise ValueError(f"an actions block holds 1 to {MAX_ACTIONS_ELEMENTS} elements")
    return {"type": "actions", "elements": elements}


def fallback(text: str) -> str:
    """The message's plain `text`: notifications and screen readers show it."""
    return _non_empty(truncate(text, MAX_FALLBACK_TEXT))


def json_size(block: Block) -> int:
    """Characters this block adds to a message's JSON (plus a separator)."""
    return len(json.dumps(block)) + 2


def blocks_size(blocks: list[Block]) -> int:
    return len(json.dumps(blocks))
