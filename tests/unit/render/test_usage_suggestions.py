"""Usage answers: the reason, suggestion buttons that carry a command, usage in one line."""

from __future__ import annotations

import json

from bot.slack.render.blocks import render_usage
from bot.slack.render.slack_usage import RUN_SUGGESTION, Suggestion, parse_suggestion
from commands.errors import UsageError
from commands.help import help_text
from tests.unit.render.slack_checks import assert_within_limits

HOSTILE = "<!channel> <https://evil.example|x> &"


def test_usage_is_one_line_with_a_help_pointer_and_buttons() -> None:
    error = UsageError("Unknown `regoin=`.", help_text("/cache-audit"), ("region=eu-west-1",))
    fallback, blocks = render_usage(error)
    assert fallback == "Unknown `regoin=`."
    button = blocks[1]["elements"][0]
    assert button["action_id"] == f"{RUN_SUGGESTION}_0"
    assert parse_suggestion(button["value"]) == Suggestion("/cache-audit", "region=eu-west-1")
    hint = blocks[2]["elements"][0]["text"]
    assert hint == "`Usage: /cache-audit [scope]` · full help: `/cache-help cache-audit`"
    assert "Scope words" not in json.dumps(blocks)
    assert_within_limits((fallback, blocks))


def test_several_suggestions_have_unique_action_ids() -> None:
    error = UsageError("x", help_text("/cache-audit"), ("a", "b", "c"))
    _, blocks = render_usage(error)
    assert_within_limits(("x", blocks))
    assert len(blocks[1]["elements"]) == 3


def test_hostile_text_stays_inert() -> None:
    _, blocks = render_usage(UsageError(HOSTILE, f"Usage: /cache-audit {HOSTILE}", (HOSTILE,)))
    text = json.dumps([b for b in blocks if b["type"] != "actions"])
    assert "<!channel>" not in text and "<https://" not in text


def test_values_not_ours_are_refused() -> None:
    assert parse_suggestion("not json") is None
    assert parse_suggestion(json.dumps({"c": "/other", "t": ""})) is None
    assert parse_suggestion(Suggestion("/cache-audit", "x", skip_scope_check=True).value()) == (
        Suggestion("/cache-audit", "x", skip_scope_check=True)
    )
