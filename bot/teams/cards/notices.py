"""Short answers: notices, usage help after bad input, the help text, and internal errors.

An internal error never shows the exception; it shows a reference to find it in the logs.
"""

from __future__ import annotations

import json

from bot.teams.cards.elements import (
    MAX_DATA_CHARS,
    Card,
    action_execute,
    card,
    code,
    escape,
    text_block,
    truncate,
)
from bot.teams.verbs import Verb
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


def _audit_button(title: str, scope: str, *, anyway: bool) -> dict[str, object] | None:
    data = {"scope": scope, "anyway": "1" if anyway else ""}
    if len(json.dumps({"verb": Verb.AUDIT, **data})) > MAX_DATA_CHARS:
        return None  # too long to carry: the person types it instead
    return action_execute(title, Verb.AUDIT, data, style=None if anyway else "positive")


def render_scope_problem_card(message: str, suggestions: tuple[str, ...], scope: str) -> Card:
    """A scope naming nothing: why, then the close matches and "Scan anyway" as buttons (the
    index of known caches can be older than a cache created since the last scan)."""
    buttons = [_audit_button(f"audit {text}", text, anyway=False) for text in suggestions]
    buttons.append(_audit_button("Scan anyway", scope, anyway=True))
    plain = message.replace("`", "")  # TextBlock Markdown has no code spans
    body = [text_block(escape(truncate(plain, _SHOWN)))]
    if suggestions:
        body.append(text_block("Did you mean one of these? Or scan as typed:", subtle=True))
    return card(body, actions=[b for b in buttons if b], summary=message)
