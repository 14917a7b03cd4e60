"""Block Kit (messages, home tabs, modals) to HTML for the demo page; every value escaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.slack_emulator.mrkdwn import escape, mrkdwn_to_html, plain_text_to_html
from sandbox.slack_emulator.render_elements import render_element
from sandbox.slack_emulator.workspace import Workspace

Block = dict[str, Any]
TextRenderer = Callable[[Any], str]


class BlockRenderer:
    """Renders with the workspace's user and channel names for mentions."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    def text(self, text_object: Any) -> str:
        """A Block Kit text object (mrkdwn or plain_text), or a bare string taken as mrkdwn."""
        if isinstance(text_object, str):
            return self.mrkdwn(text_object)
        if not isinstance(text_object, dict):
            return ""
        value = str(text_object.get("text", ""))
        if text_object.get("type") == "mrkdwn":
            return self.mrkdwn(value)
        return plain_text_to_html(value)

    def mrkdwn(self, text: str) -> str:
        return mrkdwn_to_html(text, self._display_name, self._channel_name)

    def _display_name(self, ref: str) -> str:
        """A user's real name, or a user group's handle (mentions of both are looked up)."""
        if ref in self._workspace.usergroups:
            return self._workspace.group_handle(ref)
        return self._workspace.display_name(ref)

    def message(self, message: dict[str, Any]) -> str:
        """Blocks when present, else the text fallback; then legacy attachments and files."""
        blocks = message.get("blocks") or []
        parts = [self.blocks(blocks)] if blocks else [self._message_text(message)]
        parts.extend(self._attachment(a) for a in message.get("attachments") or [])
        parts.extend(_file_card(f) for f in message.get("files") or [])
        return "".join(parts)

    def blocks(self, blocks: list[Block]) -> str:
        return "".join(self.block(b, i) for i, b in enumerate(blocks) if isinstance(b, dict))

    def block(self, block: Block, index: int) -> str:
        kind = str(block.get("type", ""))
        block_id = str(block.get("block_id") or f"b{index}")
        body = self._block_body(kind, block, block_id)
        return (
            f'<div class="block block-{escape(kind)}" data-testid="block" '
            f'data-block-type="{escape(kind)}" data-block-id="{escape(block_id)}">{body}</div>'
        )

    def _block_body(self, kind: str, block: Block, block_id: str) -> str:
        if kind == "section":
            return self._section(block, block_id)
        if kind == "header":
            return f"<h3>{self.text(block.get('text'))}</h3>"
        if kind == "divider":
            return "<hr>"
        if kind == "context":
            items = [self._context_item(e) for e in block.get("elements") or []]
            return f'<div class="context">{" ".join(items)}</div>'
        if kind == "actions":
            rendered = [render_element(e, block_id, self.text) for e in block.get("elements") or []]
            return f'<div class="actions">{"".join(rendered)}</div>'
        if kind == "image":
            return self._image(block)
        if kind == "input":
            return self._input(block, block_id)
        if kind == "rich_text":
            return self._rich_text(block)
        return f'<div class="unknown">[{escape(kind)} block]</div>'

    def _section(self, block: Block, block_id: str) -> str:
        parts = []
        if block.get("text"):
            parts.append(f'<div class="section-text">{self.text(block["text"])}</div>')
        fields = block.get("fields") or []
        if fields:
            cells = "".join(f'<div class="field">{self.text(f)}</div>' for f in fields)
            parts.append(f'<div class="fields">{cells}</div>')
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            element = render_element(accessory, block_id, self.text)
            parts.append(f'<div class="accessory">{element}</div>')
        return "".join(parts)

    def _context_item(self, element: Any) -> str:
        if isinstance(element, dict) and element.get("type") == "image":
            return _img(element, "context-image")
        return f"<span>{self.text(element)}</span>"

    def _image(self, block: Block) -> str:
        title = block.get("title")
        caption = f"<figcaption>{self.text(title)}</figcaption>" if title else ""
        return f"<figure>{_img(block, 'image')}{caption}</figure>"

    def _input(self, block: Block, block_id: str) -> str:
        label = self.text(block.get("label"))
        element = render_element(block.get("element") or {}, block_id, self.text)
        hint = block.get("hint")
        hint_html = f'<div class="hint">{self.text(hint)}</div>' if hint else ""
        return f'<label class="input-label">{label}</label>{element}{hint_html}'

    def _rich_text(self, block: Block) -> str:
        sections = []
        for section in block.get("elements") or []:
            pieces = [self._rich_piece(p) for p in section.get("elements") or []]
            tag = "pre" if section.get("type") == "rich_text_preformatted" else "div"
            sections.append(f"<{tag}>{''.join(pieces)}</{tag}>")
        return "".join(sections)

    def _rich_piece(self, piece: dict[str, Any]) -> str:
        kind = piece.get("type")
        if kind == "user":
            return self.mrkdwn(f"<@{piece.get('user_id', '')}>")
        if kind == "link":
            url = str(piece.get("url", ""))
            return self.mrkdwn(f"<{url}|{piece.get('text') or url}>")
        if kind == "rich_text_section":
            return "".join(self._rich_piece(p) for p in piece.get("elements") or [])
        return plain_text_to_html(str(piece.get("text", "")))

    def _message_text(self, message: dict[str, Any]) -> str:
        text = str(message.get("text") or "")
        return f'<div class="message-text">{self.mrkdwn(text)}</div>' if text else ""

    def _attachment(self, attachment: dict[str, Any]) -> str:
        color = str(attachment.get("color") or "#ddd")
        inner = self.blocks(attachment.get("blocks") or []) or self.mrkdwn(
            str(attachment.get("text") or attachment.get("fallback") or "")
        )
        return f'<div class="attachment" style="border-color:{escape(_css_color(color))}">{inner}</div>'

    def _channel_name(self, channel_id: str) -> str:
        channel = self._workspace.channel(channel_id)
        return channel.name if channel else channel_id


def _img(element: dict[str, Any], css_class: str) -> str:
    url = str(element.get("image_url") or "")
    if not url.startswith(("http://", "https://")):
        return f'<span class="{css_class} missing">[image]</span>'
    alt = escape(str(element.get("alt_text") or ""))
    return f'<img class="{css_class}" src="{escape(url)}" alt="{alt}">'


def _file_card(file: dict[str, Any]) -> str:
    name = escape(str(file.get("name") or "file"))
    title = escape(str(file.get("title") or file.get("name") or "file"))
    url = escape(str(file.get("url_private_download") or ""))
    size = int(file.get("size") or 0)
    return (
        f'<div class="file" data-testid="file" data-file-id="{escape(str(file.get("id", "")))}">'
        f'<span class="file-title">{title}</span> <span class="file-size">{size} bytes</span> '
        f'<a href="{url}" download="{name}" data-testid="file-download">Download {name}</a></div>'
    )


def _css_color(color: str) -> str:
    """Slack accepts good/warning/danger or a hex colour; anything else falls back to grey."""
    named = {"good": "#2eb67d", "warning": "#ecb22e", "danger": "#e01e5a"}
    if color in named:
        return named[color]
    is_hex = color.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in color[1:])
    return color if is_hex and len(color) in (4, 7) else "#dddddd"
