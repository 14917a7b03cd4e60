"""Adaptive Cards as HTML for the demo page's Teams view: close enough to read and click.

Covers what cachewarden sends and what a reader would expect of a 1.5 card: TextBlock
(Teams' Markdown subset: **bold**, _italic_, [links](https://..), line breaks, backslash
escapes), FactSet, Container, ColumnSet, Image (data: and https only), ActionSet,
Input.Text / Input.Date / Input.ChoiceSet, Action.Execute (a button the page turns into an
invoke), Action.ShowCard (a button that opens its card under the buttons, as Teams does:
one open at a time per button row), Action.OpenUrl. Anything else shows as a small "unsupported" note, never as raw JSON.

Every string from a card is HTML-escaped before any markup is added, so a card cannot
inject HTML into the page.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any

Node = dict[str, Any]

_ESCAPED = re.compile(r"\\([\\`*_\[\]()#+\-.!<>{}|])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w])_(.+?)_(?![\w])")
_LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")
_HOLD = "\ue000{}\ue001"
_HELD = re.compile("\ue000(\\d+)\ue001")
_SIZES = {"small": "s", "default": "m", "medium": "l", "large": "xl", "extralarge": "xxl"}
_COLORS = ("attention", "warning", "good", "accent", "light", "dark")


def markdown(text: str) -> str:
    """Teams' TextBlock Markdown subset to HTML; everything else is shown literally."""
    held: list[str] = []

    def hold(value: str) -> str:
        held.append(value)
        return _HOLD.format(len(held) - 1)

    text = _ESCAPED.sub(lambda m: hold(html.escape(m.group(1))), text)
    text = _LINK.sub(
        lambda m: hold(
            f'<a href="{html.escape(m.group(2), quote=True)}" target="_blank" rel="noopener">'
            f"{html.escape(m.group(1))}</a>"
        ),
        text,
    )
    out = html.escape(text)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    out = out.replace("  \n", "<br>").replace("\n", "<br>")
    for _ in range(2):  # a held link may itself hold escaped characters
        out = _HELD.sub(lambda m: held[int(m.group(1))], out)
    return out


def _classes(*names: str | None) -> str:
    return " ".join(n for n in names if n)


def text_block(node: Node) -> str:
    size = _SIZES.get(str(node.get("size", "default")).lower(), "m")
    color = str(node.get("color", "")).lower()
    classes = _classes(
        "ac-text",
        f"ac-size-{size}",
        "ac-bold" if str(node.get("weight", "")).lower() == "bolder" else None,
        f"ac-color-{color}" if color in _COLORS else None,
        "ac-subtle" if node.get("isSubtle") else None,
        "ac-mono" if str(node.get("fontType", "")).lower() == "monospace" else None,
    )
    return f'<div class="{classes}">{markdown(str(node.get("text", "")))}</div>'


def fact_set(node: Node) -> str:
    rows = "".join(
        f"<tr><th>{markdown(str(f.get('title', '')))}</th>"
        f"<td>{markdown(str(f.get('value', '')))}</td></tr>"
        for f in node.get("facts", [])
        if isinstance(f, dict)
    )
    return f'<table class="ac-facts">{rows}</table>'


def _items(items: Any) -> str:
    return "".join(element(item) for item in items or [] if isinstance(item, dict))


def container(node: Node) -> str:
    style = str(node.get("style", "")).lower()
    classes = _classes(
        "ac-container",
        f"ac-style-{style}" if style.isalpha() else None,
        "ac-separator" if node.get("separator") else None,
    )
    return f'<div class="{classes}">{_items(node.get("items"))}</div>'


def column_set(node: Node) -> str:
    columns = []
    for column in node.get("columns", []) or []:
        if not isinstance(column, dict):
            continue
        width = column.get("width", "stretch")
        if isinstance(width, int | float) or str(width).isdigit():
            flex = f"flex: {int(width)} 1 0"
        elif str(width).lower() == "auto":
            flex = "flex: 0 0 auto"
        else:
            flex = "flex: 1 1 0"
        columns.append(f'<div class="ac-column" style="{flex}">{_items(column.get("items"))}</div>')
    classes = _classes("ac-columns", "ac-separator" if node.get("separator") else None)
    return f'<div class="{classes}">{"".join(columns)}</div>'


def image(node: Node) -> str:
    url = str(node.get("url", ""))
    alt = html.escape(str(node.get("altText", "")), quote=True)
    if not url.startswith(("data:image/png;base64,", "data:image/jpeg;base64,", "https://")):
        return f'<div class="ac-unsupported">image not shown: {alt}</div>'
    return f'<img class="ac-image" src="{html.escape(url, quote=True)}" alt="{alt}">'


def _label(node: Node) -> str:
    label = node.get("label")
    if not label:
        return ""
    required = ' <span class="ac-required">*</span>' if node.get("isRequired") else ""
    return f'<label class="ac-label">{html.escape(str(label))}{required}</label>'


def _attr(name: str, value: Any) -> str:
    return f' {name}="{html.escape(str(value), quote=True)}"' if value not in (None, "") else ""


def input_element(node: Node) -> str:
    kind = node.get("type")
    ident = _attr("data-input-id", node.get("id", ""))
    common = ident + _attr("placeholder", node.get("placeholder"))
    if kind == "Input.Text" and node.get("isMultiline"):
        field = (
            f'<textarea class="ac-input" rows="3"{common}{_attr("maxlength", node.get("maxLength"))}>'
            f"{html.escape(str(node.get('value', '')))}</textarea>"
        )
    elif kind == "Input.Text":
        field = f'<input class="ac-input" type="text"{common}{_attr("value", node.get("value"))}>'
    elif kind == "Input.Date":
        field = (
            f'<input class="ac-input" type="date"{ident}{_attr("value", node.get("value"))}'
            f"{_attr('min', node.get('min'))}{_attr('max', node.get('max'))}>"
        )
    else:  # Input.ChoiceSet
        options = "".join(
            f"<option{_attr('value', c.get('value'))}>{html.escape(str(c.get('title', '')))}</option>"
            for c in node.get("choices", []) or []
            if isinstance(c, dict)
        )
        field = f'<select class="ac-input"{ident}>{options}</select>'
    return f'<div class="ac-field">{_label(node)}{field}</div>'


def action(node: Node) -> str:
    kind = node.get("type")
    title = html.escape(str(node.get("title", "")))
    style = str(node.get("style", "")).lower()
    classes = _classes(
        "ac-btn", f"ac-btn-{style}" if style in ("positive", "destructive") else None
    )
    if kind == "Action.Execute":
        data = json.dumps(node.get("data") or {}, sort_keys=True)
        return (
            f'<button type="button" class="{classes}" data-testid="teams-action"'
            f"{_attr('data-verb', node.get('verb', ''))}{_attr('data-data', data)}>{title}</button>"
        )
    if kind == "Action.ShowCard" and isinstance(node.get("card"), dict):
        return (
            f'<button type="button" class="{classes} ac-btn-showcard" data-testid="teams-showcard"'
            f' aria-expanded="false"{_attr("data-showcard", _show_id(node))}>{title}</button>'
        )
    if kind == "Action.OpenUrl" and str(node.get("url", "")).startswith("https://"):
        return (
            f'<a class="{classes}" target="_blank" rel="noopener"'
            f"{_attr('href', node.get('url'))}>{title}</a>"
        )
    return f'<button type="button" class="{classes}" disabled title="not supported here">{title}</button>'


def _show_id(node: Node) -> str:
    """Stable while the card is unchanged, so the page can keep a panel open across redraws."""
    text = json.dumps([node.get("title"), node.get("card")], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _show_panel(node: Node) -> str:
    inner = node["card"]
    body = _items(inner.get("body"))
    return (
        f'<div class="ac-showcard hidden" data-testid="teams-showcard-panel"'
        f"{_attr('data-showcard-panel', _show_id(node))}>"
        f'<div class="ac-card ac-subcard">{body}{action_set(inner.get("actions"))}</div></div>'
    )


def action_set(actions: Any) -> str:
    nodes = [a for a in actions or [] if isinstance(a, dict)]
    buttons = "".join(action(a) for a in nodes)
    panels = "".join(
        _show_panel(a)
        for a in nodes
        if a.get("type") == "Action.ShowCard" and isinstance(a.get("card"), dict)
    )
    return f'<div class="ac-actions">{buttons}</div>{panels}' if buttons else ""


def element(node: Node) -> str:
    kind = str(node.get("type", ""))
    if kind == "TextBlock":
        return text_block(node)
    if kind == "FactSet":
        return fact_set(node)
    if kind == "Container":
        return container(node)
    if kind == "ColumnSet":
        return column_set(node)
    if kind == "Image":
        return image(node)
    if kind == "ActionSet":
        return action_set(node.get("actions"))
    if kind in ("Input.Text", "Input.Date", "Input.ChoiceSet"):
        return input_element(node)
    return f'<div class="ac-unsupported">{html.escape(kind or "element")} not shown</div>'


def render_card(card: Node) -> str:
    """One Adaptive Card (the attachment's content) as an HTML fragment."""
    if card.get("type") != "AdaptiveCard":
        return '<div class="ac-unsupported">not an Adaptive Card</div>'
    body = _items(card.get("body"))
    return f'<div class="ac-card" data-testid="teams-card">{body}{action_set(card.get("actions"))}</div>'


def render_activity(activity: Node) -> str:
    """A posted activity: its text and its Adaptive Card attachments."""
    parts = []
    if activity.get("text"):
        parts.append(f'<div class="ac-text">{markdown(str(activity["text"]))}</div>')
    for attachment in activity.get("attachments") or []:
        if (
            isinstance(attachment, dict)
            and isinstance(attachment.get("content"), dict)
            and attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ):
            parts.append(render_card(attachment["content"]))
            continue
        parts.append('<div class="ac-unsupported">attachment not shown</div>')
    return "".join(parts)
