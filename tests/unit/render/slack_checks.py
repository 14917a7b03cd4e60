"""Test helpers: walk rendered Block Kit and check Slack's limits and mrkdwn safety."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status

Reply = tuple[str, list[dict[str, Any]]]

HOSTILE = "<!channel> <!here> <@U999HOSTILE> <#C123> <https://evil.example|click> & `x`"
_MENTION = re.compile(r"<@[UW][A-Z0-9_]{2,20}>|<!subteam\^S[A-Z0-9_]{2,30}>")
_LINK = re.compile(r"<(https://[^|<>\s]+)\|[^<>]*>")
_KNOWN_BLOCKS = {"section", "header", "context", "actions", "divider"}


def text_fields(node: Any, *, skip_plain: bool = False) -> Iterator[str]:
    """Every string under a "text" key, at any depth; `skip_plain` leaves out plain_text."""
    if isinstance(node, dict):
        if skip_plain and node.get("type") == "plain_text":
            return
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from text_fields(value, skip_plain=skip_plain)
    elif isinstance(node, list):
        for item in node:
            yield from text_fields(item, skip_plain=skip_plain)


def assert_inert(
    reply: Reply, *, links: frozenset[str] = frozenset(), mentions: bool = False
) -> None:
    """No `<` may open anything but an allowed link or (when asked) a well-formed mention.

    plain_text is shown verbatim by Slack (no mentions, no links), so it is not checked here;
    `assert_plain_text_unescaped` checks it shows what it says instead.
    """
    text, blocks = reply
    for field in [text, *text_fields(blocks, skip_plain=True)]:
        rest = _LINK.sub(lambda m: _allowed_link(m, links), field)
        if mentions:
            rest = _MENTION.sub("", rest)
        assert "<" not in rest, f"live mrkdwn control sequence in {field!r}"
        assert "<!" not in field and "<http://" not in field


def _allowed_link(match: re.Match[str], links: frozenset[str]) -> str:
    url = match.group(1).replace("&amp;", "&")
    assert url in links, f"unexpected link to {url}"
    return ""


def _check_button(button: dict[str, Any]) -> None:
    assert button["type"] == "button"
    assert 1 <= len(button["text"]["text"]) <= 75
    assert button["text"]["type"] == "plain_text"
    assert 1 <= len(button["value"]) <= 2000
    assert 1 <= len(button["action_id"]) <= 255


def _check_overflow(menu: dict[str, Any]) -> None:
    assert menu["type"] == "overflow"
    assert 2 <= len(menu["options"]) <= 5
    assert 1 <= len(menu["action_id"]) <= 255
    for choice in menu["options"]:
        assert choice["text"]["type"] == "plain_text" and 1 <= len(choice["text"]["text"]) <= 75
        assert 1 <= len(choice["value"]) <= 150


def _check_accessory(accessory: dict[str, Any]) -> None:
    if accessory["type"] == "button":
        _check_button(accessory)
    else:
        _check_overflow(accessory)


def plain_texts(node: Any) -> Iterator[str]:
    """Every plain_text string: shown verbatim, so it must never carry an HTML entity."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from plain_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from plain_texts(item)


def assert_plain_text_unescaped(blocks: list[dict[str, Any]]) -> None:
    for text in plain_texts(blocks):
        assert not re.search(r"&(amp|lt|gt);", text), f"escaped plain_text {text!r}"


def _check_block(block: dict[str, Any]) -> None:
    kind = block["type"]
    assert kind in _KNOWN_BLOCKS
    if kind == "section":
        if "accessory" in block:
            _check_accessory(block["accessory"])
        assert "text" in block or block.get("fields")
        if "text" in block:
            assert 1 <= len(block["text"]["text"]) <= 3000
        fields = block.get("fields", [])
        assert len(fields) <= 10 and all(1 <= len(f["text"]) <= 2000 for f in fields)
    elif kind == "header":
        assert block["text"]["type"] == "plain_text"
        assert 1 <= len(block["text"]["text"]) <= 150
    elif kind == "context":
        assert 1 <= len(block["elements"]) <= 10
        assert all(1 <= len(e["text"]) <= 3000 for e in block["elements"])
    elif kind == "actions":
        assert 1 <= len(block["elements"]) <= 25
        ids = [element["action_id"] for element in block["elements"]]
        assert len(ids) == len(set(ids)), "action ids must be unique within a block"
        for element in block["elements"]:
            _check_button(element)


def assert_within_limits(
    reply: Reply, *, max_blocks: int = 50, max_chars: int | None = None
) -> None:
    text, blocks = reply
    assert_plain_text_unescaped(blocks)
    assert 1 <= len(text) <= 40_000
    assert 1 <= len(blocks) <= min(max_blocks, 50)
    for block in blocks:
        _check_block(block)
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(block_ids) == len(set(block_ids))
    if max_chars is not None:
        assert len(json.dumps(blocks)) <= max_chars


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Buttons in actions blocks and as section accessories."""
    found = [e for block in blocks if block["type"] == "actions" for e in block["elements"]]
    found += [
        block["accessory"]
        for block in blocks
        if block["type"] == "section" and block.get("accessory", {}).get("type") == "button"
    ]
    return found


def menus(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        block["accessory"]
        for block in blocks
        if block["type"] == "section" and block.get("accessory", {}).get("type") == "overflow"
    ]


def line_actions(block: dict[str, Any]) -> list[tuple[str, str]]:
    """(button action id, finding id) pairs a finding line offers, menu or single button."""
    accessory = block.get("accessory") or {}
    if accessory.get("type") == "button":
        return [(accessory["action_id"], accessory["value"])]
    pairs = []
    for choice in accessory.get("options") or []:
        action_id, _, value = choice["value"].partition(":")
        pairs.append((action_id, value))
    return pairs


def make_finding(
    index: int = 0,
    *,
    severity: Severity = Severity.HIGH,
    status: Status = Status.FAIL,
    rule_id: str | None = None,
    resource_id: str | None = None,
    account: str = "123456789012",
    region: str = "eu-west-1",
    evidence: str = "TransitEncryptionEnabled is false",
    kind: ResourceKind = ResourceKind.REPLICATION_GROUP,
) -> Finding:
    rid = resource_id if resource_id is not None else f"orders-{index}"
    return Finding(
        rule_id=rule_id or "CW-101",
        title="Caches encrypt traffic in transit",
        aliases={"security_hub": ("ElastiCache.5",), "checkov": ("CKV_AWS_30",)},
        severity=severity,
        status=status,
        resource_kind=kind,
        resource_id=rid,
        resource_arn=f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rid}",
        account=account,
        region=region,
        engine="redis",
        evidence=evidence,
    )
