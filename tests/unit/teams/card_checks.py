"""Schema sanity for Adaptive Cards sent to Teams: what every rendered card must satisfy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.teams.cards.elements import MAX_CARD_CHARS, MAX_TEXT_BLOCK
from bot.teams.verbs import Verb

KNOWN_ELEMENTS = {
    "TextBlock",
    "FactSet",
    "Container",
    "ActionSet",
    "Image",
    "Input.Text",
    "Input.Date",
}
KNOWN_ACTIONS = {"Action.Execute", "Action.ShowCard"}
# A Markdown link whose target is not one of the catalog's https references.
_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?P<url>[^)]*)\)")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every body element, including those of the cards an Action.ShowCard opens."""
    return [
        n
        for n in walk(card)
        if "type" in n and n["type"] != "AdaptiveCard" and not n["type"].startswith("Action.")
    ]


def execute_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons that reach the bot, wherever they sit (in a ShowCard too), in card order."""
    return [a for a in actions(card) if a["type"] == "Action.Execute"]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in walk(card) if str(n.get("type", "")).startswith("Action.")]


def texts(card: dict[str, Any]) -> list[str]:
    return [n["text"] for n in walk(card) if n.get("type") == "TextBlock"]


def all_text(card: dict[str, Any]) -> str:
    return "\n".join(texts(card))


def assert_valid_card(card: dict[str, Any]) -> None:
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert len(json.dumps(card, ensure_ascii=False)) <= MAX_CARD_CHARS + _image_chars(card)
    for element in elements(card):
        assert element["type"] in KNOWN_ELEMENTS, element["type"]
        if element["type"] == "TextBlock":
            assert element["text"], "empty TextBlock"
            assert len(element["text"]) <= max(MAX_TEXT_BLOCK, 6000)
            assert element.get("wrap") is True
    ids = [e["id"] for e in elements(card) if str(e["type"]).startswith("Input.")]
    assert len(ids) == len(set(ids)), f"input ids repeat: {ids}"
    for action in actions(card):
        assert action["type"] in KNOWN_ACTIONS, action["type"]
        assert 0 < len(action["title"]) <= 40
        if action["type"] == "Action.ShowCard":
            shown = action["card"]
            assert shown["type"] == "AdaptiveCard" and shown["body"] and shown["actions"]
            continue
        assert action["verb"] in set(Verb), action["verb"]
        assert isinstance(action["data"], dict) and action["data"], "an action without data"
        assert action["data"]["verb"] == action["verb"]
        assert len(json.dumps(action["data"])) <= 200
        assert 0 < len(action["title"]) <= 40


def _image_chars(card: dict[str, Any]) -> int:
    # Teams does not count base64 images in the message limit.
    return sum(len(json.dumps(n)) for n in walk(card) if n.get("type") == "Image")


def assert_no_foreign_links(card: dict[str, Any]) -> None:
    """The only Markdown links are https catalog references; hostile text stays literal."""
    for text in texts(card):
        for match in _LINK.finditer(text):
            url = match.group("url")
            assert url.startswith("https://") and "evil" not in url, url
