"""Slack Block Kit renderers: neutral message models in, (fallback text, blocks) out.

Pure functions with no clients and no I/O. Every interpolated value is escaped; the
only `<...>` sequences emitted are mentions of validated user ids and links to
validated https URLs from the rule catalog.
"""

from __future__ import annotations

from bot.slack.render.mrkdwn import escape, truncate, user_mention
from bot.slack.render.slack_elements import Block, context, fallback, section
from bot.slack.render.slack_explain import render_explain
from bot.slack.render.slack_findings import render_findings_thread
from bot.slack.render.slack_summary import render_summary
from bot.slack.render.slack_usage import render_usage_error
from commands.errors import UsageError
from posture.messages import Notice

__all__ = [
    "Block",
    "render_explain",
    "render_findings_thread",
    "render_notice",
    "render_summary",
    "render_usage",
]

_NOTICE_SHOWN = 2900


def render_notice(notice: Notice) -> tuple[str, list[Block]]:
    """A short answer: the text, and any detail in smaller type below it."""
    text = truncate(escape(notice.text), _NOTICE_SHOWN)
    if notice.by and notice.text.startswith(notice.by):
        text = user_mention(notice.by) + text[len(escape(notice.by)) :]
    blocks = [section(text)]
    if notice.detail:
        blocks.append(context(truncate(escape(notice.detail), _NOTICE_SHOWN)))
    return fallback(escape(notice.text)), blocks


def render_usage(error: UsageError) -> tuple[str, list[Block]]:
    """Why the command was not understood, suggestion buttons, and usage in one line."""
    return render_usage_error(error)
