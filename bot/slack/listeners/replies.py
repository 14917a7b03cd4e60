"""Ephemeral answers built from the pure renderers, shared by commands and clicks."""

from __future__ import annotations

from typing import Any

from bot.slack.render.blocks import render_notice, render_usage
from bot.slack.render.slack_usage import Suggestion, render_problem
from commands.errors import UsageError
from commands.help import USAGE
from commands.scope import Scope
from commands.scope_check import ScopeProblem
from posture.messages import Notice


def notice_payload(text: str, detail: str | None = None) -> dict[str, Any]:
    fallback, blocks = render_notice(Notice(text=text, detail=detail))
    return {"text": fallback, "blocks": blocks, "response_type": "ephemeral"}


def usage_payload(error: UsageError) -> dict[str, Any]:
    fallback, blocks = render_usage(error)
    return {"text": fallback, "blocks": blocks, "response_type": "ephemeral"}


def scope_problem_payload(problem: ScopeProblem, scope: Scope) -> dict[str, Any]:
    """A scope naming nothing: private, with close matches and "Scan anyway" as buttons."""
    suggestions = [Suggestion("/cache-audit", text) for text in problem.suggestions]
    original = "" if scope.describe() == "everything" else scope.describe()
    suggestions.append(
        Suggestion("/cache-audit", original, label="Scan anyway", skip_scope_check=True)
    )
    fallback, blocks = render_problem(problem.message, USAGE["/cache-audit"], suggestions)
    return {"text": fallback, "blocks": blocks, "response_type": "ephemeral"}
