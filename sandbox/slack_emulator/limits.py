"""Block Kit limits that real Slack enforces, checked cheaply so the bot fails here first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID_LENGTH = 255

KNOWN_BLOCK_TYPES = frozenset(
    {"section", "divider", "header", "context", "actions", "image", "input", "rich_text", "file"}
)


class ApiError(Exception):
    """A Slack Web API error: becomes {"ok": false, "error": code, **extra}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


def decode_json_param(value: Any, error_code: str) -> Any:
    """Form-encoded calls carry blocks/views as JSON strings; JSON calls carry objects."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ApiError(error_code) from exc


def check_message_content(text: Any, blocks: Any, attachments: Any) -> None:
    """Raise the error real Slack gives for an empty, oversized or malformed message."""
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if blocks:
        check_blocks(blocks, MAX_MESSAGE_BLOCKS)


def check_blocks(blocks: Any, max_blocks: int) -> None:
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    problems = list(block_problems(blocks, max_blocks))
    if problems:
        raise ApiError(
            "invalid_blocks",
            errors=problems,
            response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
        )


def block_problems(blocks: list[Any], max_blocks: int) -> Iterator[str]:
    if len(blocks) > max_blocks:
        yield f"no more than {max_blocks} items allowed [json-pointer:/blocks]"
    for index, block in enumerate(blocks):
        pointer = f"/blocks/{index}"
        if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCK_TYPES:
            yield f"unsupported type [json-pointer:{pointer}/type]"
            continue
        yield from _too_long(block.get("block_id"), MAX_ID_LENGTH, f"{pointer}/block_id")
        yield from _block_specific_problems(block, pointer)


def _block_specific_problems(block: dict[str, Any], pointer: str) -> Iterator[str]:
    kind = block["type"]
    if kind == "section":
        yield from _section_problems(block, pointer)
    elif kind == "header":
        yield from _too_long(_text_of(block.get("text")), MAX_HEADER_TEXT, f"{pointer}/text/text")
    elif kind == "actions":
        yield from _actions_problems(block, pointer)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            yield f"must have 1 to {MAX_CONTEXT_ELEMENTS} items [json-pointer:{pointer}/elements]"


def _section_problems(block: dict[str, Any], pointer: str) -> Iterator[str]:
    text = block.get("text")
    fields = block.get("fields")
    if text is None and not fields:
        yield f"must provide text or fields [json-pointer:{pointer}]"
    yield from _too_long(_text_of(text), MAX_SECTION_TEXT, f"{pointer}/text/text")
    if fields:
        if len(fields) > MAX_SECTION_FIELDS:
            yield f"no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{pointer}/fields]"
        for i, item in enumerate(fields):
            yield from _too_long(_text_of(item), MAX_FIELD_TEXT, f"{pointer}/fields/{i}/text")
    accessory = block.get("accessory")
    if isinstance(accessory, dict) and accessory.get("type") == "button":
        yield from _button_problems(accessory, f"{pointer}/accessory")


def _actions_problems(block: dict[str, Any], pointer: str) -> Iterator[str]:
    elements = block.get("elements") or []
    if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
        yield f"must have 1 to {MAX_ACTIONS_ELEMENTS} items [json-pointer:{pointer}/elements]"
    for i, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "button":
            yield from _button_problems(element, f"{pointer}/elements/{i}")


def _button_problems(button: dict[str, Any], pointer: str) -> Iterator[str]:
    yield from _too_long(_text_of(button.get("text")), MAX_BUTTON_TEXT, f"{pointer}/text/text")
    yield from _too_long(button.get("value"), MAX_BUTTON_VALUE, f"{pointer}/value")
    yield from _too_long(button.get("action_id"), MAX_ID_LENGTH, f"{pointer}/action_id")
    style = button.get("style")
    if style is not None and style not in ("primary", "danger"):
        yield f"must be one of primary, danger [json-pointer:{pointer}/style]"


def _too_long(value: Any, limit: int, pointer: str) -> Iterator[str]:
    if isinstance(value, str) and len(value) > limit:
        yield f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _text_of(text_object: Any) -> str | None:
    if isinstance(text_object, dict):
        value = text_object.get("text")
        return value if isinstance(value, str) else None
    return None
