"""Answers to commands that cannot run as typed: why, one usage line, and one-click fixes.

Suggestions are whole commands; clicking one runs it for the person who clicked, through
the same parsing and checks as typing it (see bot.slack.listeners.suggestions). The button
value carries the command text, which is no more than that person could type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.slack.render.mrkdwn import code, escape, truncate
from bot.slack.render.slack_elements import (
    MAX_BUTTON_VALUE,
    Block,
    actions,
    button,
    context,
    fallback,
    section,
)
from commands.errors import UsageError

RUN_SUGGESTION = "run_suggestion"  # action ids are this plus the button's index (unique per block)
RUN_SUGGESTION_PATTERN = re.compile(r"^run_suggestion(_\d+)?$")
_MESSAGE_SHOWN = 2900
_MAX_BUTTONS = 4


@dataclass(frozen=True)
class Suggestion:
    command: str  # "/cache-audit"
    text: str  # the arguments, e.g. "region=eu-west-1"
    label: str | None = None  # button text; the command itself when None
    skip_scope_check: bool = False  # "Scan anyway": the index may be older than the cache

    def value(self) -> str:
        payload = {"c": self.command, "t": self.text, "f": int(self.skip_scope_check)}
        return json.dumps(payload, separators=(",", ":"))


def parse_suggestion(value: str) -> Suggestion | None:
    """The suggestion a button carried, or None when the value is not one of ours."""
    try:
        payload = json.loads(value)
        command, text, force = str(payload["c"]), str(payload["t"]), bool(payload.get("f"))
    except (ValueError, KeyError, TypeError):
        return None
    if not command.startswith("/cache-"):
        return None
    return Suggestion(command=command, text=text, skip_scope_check=force)


def usage_line(usage: str) -> str:
    """The first line of a command's usage text, e.g. `Usage: /cache-audit [scope]`."""
    first = usage.strip().splitlines()[0] if usage.strip() else ""
    return first


def help_pointer(usage: str) -> str:
    """`/cache-help cache-audit` for a usage text that starts `Usage: /cache-audit`."""
    command = command_of(usage)
    return f"/cache-help {command.lstrip('/')}" if command else "/cache-help"


def command_of(usage: str) -> str:
    """The slash command a usage text describes ("/cache-audit"), or "" for general help."""
    return next((w for w in usage_line(usage).split() if w.startswith("/cache-")), "")


def render_usage_error(error: UsageError) -> tuple[str, list[Block]]:
    command = command_of(error.usage)
    suggestions = [Suggestion(command, text) for text in error.suggestions] if command else []
    return render_problem(error.message, error.usage, suggestions)


def _buttons(suggestions: list[Suggestion]) -> Block | None:
    elements = []
    for index, suggestion in enumerate(suggestions[:_MAX_BUTTONS]):
        value = suggestion.value()
        if len(value) > MAX_BUTTON_VALUE:
            continue
        label = suggestion.label or f"{suggestion.command} {suggestion.text}".strip()
        elements.append(button(label, f"{RUN_SUGGESTION}_{index}", value))
    return actions(elements) if elements else None


def render_problem(
    message: str, usage: str, suggestions: list[Suggestion]
) -> tuple[str, list[Block]]:
    """Why (escaped), suggestion buttons, then usage in one line and where the rest is."""
    blocks: list[Block] = [section(truncate(escape(message), _MESSAGE_SHOWN))]
    row = _buttons(suggestions)
    if row is not None:
        blocks.append(row)
    line = usage_line(usage)
    if line:
        blocks.append(context(f"{code(line)} · full help: {code(help_pointer(usage))}"))
    return fallback(escape(message)), blocks
