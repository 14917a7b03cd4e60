"""Short answers: notices, usage help after bad input, the help text, and internal errors.

An internal error never shows the exception; it shows a reference to find it in the logs.
"""

from __future__ import annotations

from bot.teams.cards.elements import Card, card, code, escape, text_block, truncate
from commands.errors import UsageError
from posture.messages import Notice

_SHOWN = 2900


def render_notice_card(notice: Notice) -> Card:
    body = [text_block(escape(truncate(notice.text, _SHOWN)))]
    if notice.detail:
        body.append(text_block(escape(truncate(notice.detail, _SHOWN)), subtle=True, size="Small"))
    return card(body, summary=notice.text)


def render_usage_card(error: UsageError) -> Card:
    """Why the text was not understood, then what does work."""
    body = [
        text_block(escape(truncate(error.message, _SHOWN)), color="Attention"),
        code(error.usage, _SHOWN),
    ]
    return card(body, summary=error.message)


def render_help_card(text: str) -> Card:
    first, _, rest = text.partition("\n")
    body = [text_block(escape(first), weight="Bolder")]
    if rest:
        body.append(code(rest, _SHOWN))
    return card(body, summary=first)


def render_error_card(correlation_id: str) -> Card:
    body = [
        text_block("Something went wrong on our side, so nothing was done.", color="Attention"),
        text_block(
            escape(f"Quote this reference when asking for help: {correlation_id}"),
            subtle=True,
            size="Small",
        ),
    ]
    return card(body, summary="Something went wrong on our side.")
