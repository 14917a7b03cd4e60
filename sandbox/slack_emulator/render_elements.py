"""Interactive Block Kit elements (buttons, selects, inputs) as HTML with stable data attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.slack_emulator.mrkdwn import escape

TextRenderer = Callable[[Any], str]


def render_element(element: dict[str, Any], block_id: str, text: TextRenderer) -> str:
    kind = str(element.get("type", ""))
    if kind == "button":
        return _button(element, block_id, text)
    if kind == "overflow":
        return _select(element, block_id, text, css="select overflow-menu")
    if kind == "static_select":
        return _select(element, block_id, text)
    if kind == "plain_text_input":
        return _text_input(element, block_id)
    if kind in ("checkboxes", "radio_buttons"):
        return _choices(element, block_id, text)
    if kind == "image":
        url = str(element.get("image_url") or "")
        if url.startswith(("http://", "https://")):
            return f'<img class="accessory-image" src="{escape(url)}" alt="{escape(str(element.get("alt_text", "")))}">'
    return f'<span class="unsupported-element">[{escape(kind)}]</span>'


def _data_attributes(element: dict[str, Any], block_id: str) -> str:
    return (
        f'data-action-id="{escape(str(element.get("action_id", "")))}" '
        f'data-block-id="{escape(block_id)}" data-element-type="{escape(str(element.get("type", "")))}"'
    )


def _button(element: dict[str, Any], block_id: str, text: TextRenderer) -> str:
    style = str(element.get("style") or "default")
    css = f"btn btn-{escape(style)}" if style in ("primary", "danger") else "btn"
    url = element.get("url")
    url_attr = f' data-url="{escape(str(url))}"' if isinstance(url, str) else ""
    return (
        f'<button type="button" class="{css}" data-testid="button" data-style="{escape(style)}" '
        f"{_data_attributes(element, block_id)} "
        f'data-value="{escape(str(element.get("value", "")))}"{url_attr}{_confirm(element, text)}>'
        f"{text(element.get('text'))}</button>"
    )


def _confirm(element: dict[str, Any], text: TextRenderer) -> str:
    """A `confirm` object as data attributes (rendered HTML); the page asks before sending."""
    confirm = element.get("confirm")
    if not isinstance(confirm, dict):
        return ""
    parts = {"title": "title", "text": "text", "yes": "confirm", "no": "deny"}
    attrs = "".join(
        f' data-confirm-{name}="{escape(text(confirm.get(key)))}"' for name, key in parts.items()
    )
    return f'{attrs} data-confirm-style="{escape(str(confirm.get("style") or "primary"))}"'


def _options(element: dict[str, Any], text: TextRenderer) -> list[str]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [
        f'<option value="{escape(str(o.get("value", "")))}">{text(o.get("text"))}</option>'
        for o in options
    ]


def _select(element: dict[str, Any], block_id: str, text: TextRenderer, css: str = "select") -> str:
    """A static select, or an overflow menu drawn as a compact "⋯" select (as Slack shows it)."""
    placeholder = element.get("placeholder") or {"type": "plain_text", "text": "⋯"}
    first = f'<option value="" selected disabled>{text(placeholder)}</option>'
    label = ' aria-label="More actions"' if element.get("type") == "overflow" else ""
    return (
        f'<select class="{css}" data-testid="select"{label} '
        f"{_data_attributes(element, block_id)}>"
        f"{first}{''.join(_options(element, text))}</select>"
    )


def _text_input(element: dict[str, Any], block_id: str) -> str:
    initial = escape(str(element.get("initial_value") or ""))
    attributes = f'class="text-input" data-testid="input" {_data_attributes(element, block_id)}'
    if element.get("multiline"):
        return f"<textarea {attributes}>{initial}</textarea>"
    return f'<input type="text" {attributes} value="{initial}">'


def _choices(element: dict[str, Any], block_id: str, text: TextRenderer) -> str:
    input_type = "checkbox" if element.get("type") == "checkboxes" else "radio"
    name = escape(f"{block_id}:{element.get('action_id', '')}")
    rows = []
    for option in element.get("options") or []:
        value = escape(str(option.get("value", "")))
        rows.append(
            f'<label class="choice"><input type="{input_type}" name="{name}" value="{value}" '
            f"{_data_attributes(element, block_id)}> {text(option.get('text'))}</label>"
        )
    return f'<div class="choices">{"".join(rows)}</div>'
