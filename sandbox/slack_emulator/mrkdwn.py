"""Slack mrkdwn to safe HTML: everything is escaped, then only known markup becomes tags."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from types import MappingProxyType

NameOf = Callable[[str], str]

_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITY_VALUES = MappingProxyType({"amp": "&", "lt": "<", "gt": ">"})
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_CONTROL = re.compile(r"<([^<>\n]*)>")
_QUOTE_PREFIX = re.compile(r"^(?:&gt;|>)\s?")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_EMPHASIS = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "b"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "i"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "s"),
)


# Common shortcodes only; unknown ones stay as typed, like a custom emoji that failed to load.
_EMOJI = MappingProxyType(
    {
        "x": "❌",
        "white_check_mark": "✅",
        "heavy_check_mark": "✔️",
        "warning": "⚠️",
        "rotating_light": "🚨",
        "red_circle": "🔴",
        "large_orange_circle": "🟠",
        "large_yellow_circle": "🟡",
        "large_green_circle": "🟢",
        "large_blue_circle": "🔵",
        "lock": "🔒",
        "unlock": "🔓",
        "key": "🔑",
        "hourglass_flowing_sand": "⏳",
        "mag": "🔍",
        "information_source": "ℹ️",
        "no_entry": "⛔",
        "wrench": "🔧",
        "page_facing_up": "📄",
        "tada": "🎉",
    }
)
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")


def decode_entities(text: str) -> str:
    """Slack escapes only &, < and >; decode them in one pass so "&amp;lt;" stays "&lt;"."""
    return _ENTITY.sub(lambda m: _ENTITY_VALUES[m.group(1)], text)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def plain_text_to_html(text: str) -> str:
    """plain_text objects still show emoji shortcodes (Slack's default emoji: true)."""
    return _emoji(escape(text)).replace("\n", "<br>")


def _emoji(escaped: str) -> str:
    return _SHORTCODE.sub(lambda m: _EMOJI.get(m.group(1), m.group(0)), escaped)


def mrkdwn_to_html(text: str, user_name: NameOf, channel_name: NameOf) -> str:
    """Render code fences, then each remaining line with quotes, code, links and emphasis."""
    parts = text.split("```")
    if len(parts) % 2 == 0:  # an unclosed fence is literal text
        parts[-2:] = ["```".join(parts[-2:])]
    rendered = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            rendered.append(f"<pre>{escape(decode_entities(part.strip(chr(10))))}</pre>")
        elif part:
            rendered.append(_render_lines(part, user_name, channel_name))
    return "".join(rendered)


def _render_lines(text: str, user_name: NameOf, channel_name: NameOf) -> str:
    lines = []
    for line in text.split("\n"):
        quote = _QUOTE_PREFIX.match(line)
        body = _render_inline(line[quote.end() :] if quote else line, user_name, channel_name)
        lines.append(f"<blockquote>{body}</blockquote>" if quote else body)
    return "<br>".join(lines)


def _render_inline(text: str, user_name: NameOf, channel_name: NameOf) -> str:
    out = []
    for index, piece in enumerate(_INLINE_CODE.split(text)):
        if index % 2 == 1:
            out.append(f"<code>{escape(decode_entities(piece))}</code>")
        else:
            out.append(_render_controls(piece, user_name, channel_name))
    return "".join(out)


def _render_controls(text: str, user_name: NameOf, channel_name: NameOf) -> str:
    out = []
    for index, piece in enumerate(_CONTROL.split(text)):
        if index % 2 == 1:
            out.append(render_control(piece, user_name, channel_name))
        else:
            out.append(_emphasis(escape(decode_entities(piece))))
    return "".join(out)


def _emphasis(escaped: str) -> str:
    """Safe on already-escaped text: the captured content never contains markup."""
    for pattern, tag in _EMPHASIS:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    return _emoji(escaped)


def render_control(inner: str, user_name: NameOf, channel_name: NameOf) -> str:
    """<@U1>, <#C1|name>, <!here>, <!subteam^S1|@team>, <url|label>; anything else as text."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return _mention(f"@{user_name(user_id)}", "mention", user_id)
    if target.startswith("#"):
        name = decode_entities(label) or channel_name(target[1:])
        return _mention(f"#{name}", "channel-link", target[1:])
    if target.startswith("!"):
        return _special(target[1:], decode_entities(label), user_name)
    url = decode_entities(target)
    if url.startswith(_SAFE_SCHEMES):
        shown = escape(decode_entities(label) or url)
        return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    return escape(decode_entities(label or f"<{inner}>"))


def _special(command: str, label: str, user_name: NameOf) -> str:
    if command in ("here", "channel", "everyone"):
        return _mention(f"@{command}", "mention broadcast", command)
    if command.startswith("subteam^"):
        group = command.split("^", 1)[1]
        return _mention(label or f"@{user_name(group)}", "mention", group)
    return escape(label or f"<!{command}>")


def _mention(shown: str, css_class: str, ref: str) -> str:
    return f'<span class="{css_class}" data-ref="{escape(ref)}">{escape(shown)}</span>'
