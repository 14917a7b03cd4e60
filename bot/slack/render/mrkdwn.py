"""Safe building blocks for Slack mrkdwn: escaping, code spans, links and mentions.

Every value that did not come from our own source code passes through `escape`, so a
cluster named `<!channel>` or a tag value `<https://evil|click>` shows as text.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")  # a cut inside &amp; / &lt; / &gt;
_USER_ID = re.compile(r"^[UW][A-Z0-9_]{2,20}$")  # `_` is inert; the emulator's ids use it
_GROUP_ID = re.compile(r"^S[A-Z0-9_]{2,30}$")
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_FENCE = "```"


def escape(text: str) -> str:
    """Neutralise Slack's control characters; `&` first so entities are not doubled."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut; never splits an entity."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    head = text[: limit - len(ELLIPSIS)]
    head = _ENTITY_TAIL.sub("", head)
    return head + ELLIPSIS


def code(text: str, limit: int = 200) -> str:
    """Inline code: escaped, backticks removed (they would end the span), one line."""
    cleaned = " ".join(text.replace("`", "").split())
    return f"`{truncate(escape(cleaned), limit)}`" if cleaned else ""


def _fenced_body(text: str) -> str:
    # A fence inside the text would close the block early; break it with a zero-width space.
    return escape(text.strip("\n")).replace(_FENCE, "``\u200b`") or " "


def _fence_room(limit: int) -> int:
    return max(limit - 2 * len(_FENCE) - 2, 0)


def code_block(text: str, limit: int) -> str:
    """A fenced block of escaped text that is at most `limit` characters long."""
    return f"{_FENCE}\n{truncate(_fenced_body(text), _fence_room(limit))}\n{_FENCE}"


def code_block_fits(text: str, limit: int) -> bool:
    """Whether `code_block(text, limit)` would show the text without cutting it."""
    return len(_fenced_body(text)) <= _fence_room(limit)


def user_mention(user_id: str) -> str:
    """A real mention only for a well-formed Slack user id; anything else stays text."""
    if _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return escape(user_id)


def group_mention(group_id: str) -> str:
    """A user-group mention (it notifies the group) only for a well-formed group id."""
    if _GROUP_ID.match(group_id):
        return f"<!subteam^{group_id}>"
    return escape(group_id)


def link(url: str, label: str) -> str:
    """A link for a plain https URL; any other URL is shown as escaped text."""
    if not _SAFE_URL.match(url):
        return escape(url)
    shown = escape(label).replace("|", "/") or escape(url)
    return f"<{escape(url)}|{shown}>"


def is_safe_url(url: str) -> bool:
    return bool(_SAFE_URL.match(url))
