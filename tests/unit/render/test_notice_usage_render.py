"""render_notice and render_usage: short answers that stay inert and within limits."""

from __future__ import annotations

from bot.slack.render.blocks import render_notice, render_usage
from commands.errors import UsageError
from commands.help import help_text
from posture.messages import Notice
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits, text_fields


def test_notice_shows_text_and_detail() -> None:
    fallback, blocks = render_notice(
        Notice(text="Audit queued.", detail="Run run-3 is 2nd in line.")
    )
    assert fallback == "Audit queued."
    assert blocks[0]["text"]["text"] == "Audit queued."
    assert blocks[1]["type"] == "context"
    assert blocks[1]["elements"][0]["text"] == "Run run-3 is 2nd in line."


def test_notice_without_detail_is_one_section() -> None:
    _, blocks = render_notice(Notice(text="Done."))
    assert [block["type"] for block in blocks] == ["section"]


def test_hostile_or_huge_notice_is_inert_and_within_limits() -> None:
    reply = render_notice(Notice(text=HOSTILE * 200, detail=HOSTILE * 200))
    assert_inert(reply)
    assert_within_limits(reply)


def test_usage_shows_the_message_then_usage_in_one_line() -> None:
    error = UsageError("Unknown option colour=blue.", help_text("/cache-audit"))
    fallback, blocks = render_usage(error)
    assert fallback == "Unknown option colour=blue."
    assert blocks[0]["text"]["text"] == "Unknown option colour=blue."
    assert blocks[1]["elements"][0]["text"].startswith("`Usage: /cache-audit [scope]`")
    assert_within_limits((fallback, blocks))


def test_usage_with_hostile_input_is_inert() -> None:
    reply = render_usage(UsageError(f"Cannot read {HOSTILE}", f"Usage: {HOSTILE} ```" * 300))
    assert_inert(reply)
    assert_within_limits(reply)
    assert all(text.count("```") <= 2 for text in text_fields(reply[1]))
