"""Adaptive Card building blocks and the limits every card respects.

Teams renders Adaptive Cards up to version 1.5 on every client, and Universal Actions
(`Action.Execute`) need 1.4 or later:
https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview
A bot message may be at most 40 KB counted as UTF-16, so a card stays under
`MAX_CARD_CHARS` characters of JSON (two bytes each, with room for the activity around it):
https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages
"""

from __future__ import annotations

import json
import re
from typing import Any

Element = dict[str, Any]
Card = dict[str, Any]

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_CARD_CHARS = 18_000
MAX_TEXT_BLOCK = 2_000  # one TextBlock; longer prose is cut with an ellipsis
MAX_TITLE = 200
MAX_ACTION_TITLE = 40
MAX_DATA_CHARS = 200  # an action's data carries ids only, never content

# Emphasis and link syntax that TextBlock's Markdown subset would interpret, backslash-escaped
# (CommonMark) so names, evidence and reasons from AWS or users show literally and never as links.
_MARKDOWN = re.compile(r"([\\`*_\[\]])")


def escape(text: str) -> str:
    """Show `text` literally in a TextBlock (which renders a Markdown subset)."""
    return _MARKDOWN.sub(r"\\\1", text)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def text_block(
    text: str,
    *,
    size: str | None = None,
    weight: str | None = None,
    subtle: bool = False,
    color: str | None = None,
    monospace: bool = False,
    limit: int = MAX_TEXT_BLOCK,
) -> Element:
    """A wrapped TextBlock; `text` must already be escaped (or be trusted Markdown)."""
    block: Element = {"type": "TextBlock", "text": truncate(text, limit), "wrap": True}
    if size:
        block["size"] = size
    if weight:
        block["weight"] = weight
    if subtle:
        block["isSubtle"] = True
    if color:
        block["color"] = color
    if monospace:
        block["fontType"] = "Monospace"
    return block


def heading(text: str) -> Element:
    return text_block(escape(truncate(text, MAX_TITLE)), size="Large", weight="Bolder")


def subheading(text: str) -> Element:
    return text_block(escape(truncate(text, MAX_TITLE)), weight="Bolder")


def code(text: str, limit: int = MAX_TEXT_BLOCK) -> Element:
    """Commands and templates: monospace, shown literally, cut at `limit` characters."""
    return text_block(escape(text), monospace=True, limit=limit)


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A FactSet; values are shown literally."""
    return {
        "type": "FactSet",
        "facts": [
            {"title": escape(truncate(title, 60)), "value": escape(truncate(value, 500))}
            for title, value in pairs
        ],
    }


def container(
    items: list[Element], *, style: str | None = None, separator: bool = False
) -> Element:
    block: Element = {"type": "Container", "items": items}
    if style:
        block["style"] = style
    if separator:
        block["separator"] = True
    return block


def action_execute(
    title: str, verb: str, data: dict[str, str], *, style: str | None = None
) -> Element:
    """A Universal Action button; `data` holds only opaque ids, the handler reloads the rest."""
    if not verb or len(json.dumps(data)) > MAX_DATA_CHARS:
        raise ValueError(f"an Action.Execute needs a verb and small data, got {verb!r} {data!r}")
    action: Element = {
        "type": "Action.Execute",
        "title": truncate(title, MAX_ACTION_TITLE),
        "verb": verb,
        "data": {"verb": verb, **data},
    }
    if style:
        action["style"] = style
    return action


def action_show_card(
    title: str, body: list[Element], actions: list[Element], *, style: str | None = None
) -> Element:
    """A button that opens a small card under the buttons (a form, or a second look before
    an action); Adaptive Cards have no confirm dialog, so this is where a second step goes."""
    shown: Element = {
        "type": "Action.ShowCard",
        "title": truncate(title, MAX_ACTION_TITLE),
        "card": {"type": "AdaptiveCard", "body": body, "actions": actions},
    }
    if style:
        shown["style"] = style
    return shown


def action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def card(body: list[Element], *, actions: list[Element] | None = None, summary: str = "") -> Card:
    """A full-width 1.5 card; `summary` is what notifications and screen readers show."""
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        result["actions"] = actions
    if summary:
        result["fallbackText"] = truncate(summary, 300)
    return result


def card_size(value: Card) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def fit_card(
    body: list[Element],
    *,
    actions: list[Element] | None = None,
    summary: str = "",
    keep_last: int = 1,
) -> Card:
    """Drop body elements from the end (keeping the last `keep_last`) until the card fits,
    then say that something was left out."""
    built = card(body, actions=actions, summary=summary)
    if card_size(built) <= MAX_CARD_CHARS:
        return built
    head, tail = body[: len(body) - keep_last], body[len(body) - keep_last :]
    note = text_block("…more than fits in one Teams message; the rest is left out.", subtle=True)
    while head:
        head = head[:-1]
        built = card([*head, note, *tail], actions=actions, summary=summary)
        if card_size(built) <= MAX_CARD_CHARS:
            return built
    return card([note, *tail], actions=actions, summary=summary)
