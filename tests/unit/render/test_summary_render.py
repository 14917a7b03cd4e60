"""render_summary: every audit state, counts, reference ids, hostile values."""

from __future__ import annotations

import json

import pytest

from bot.render.blocks import render_summary
from bot.render.slack_summary import format_duration
from posture.messages import AuditState, AuditSummary, SeverityCounts
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits, text_fields


def summary(**changes: object) -> AuditSummary:
    base: dict[str, object] = {
        "run_id": "run-7",
        "scope": "orders-prod region=eu-west-1",
        "state": AuditState.DONE,
        "requested_by": "U0123ABCD",
        "parts_done": 6,
        "parts_total": 6,
        "accounts": 2,
        "regions": 3,
        "failing": SeverityCounts(critical=1, high=2, medium=3, low=4, info=5),
        "passed": 45,
        "not_applicable": 7,
        "errors": 1,
        "suppressed": 2,
        "duration_seconds": 83.4,
        "correlation_id": "corr-5f2a",
    }
    base.update(changes)
    return AuditSummary.model_validate(base)


def all_text(blocks: list[dict[str, object]]) -> str:
    return "\n".join(text_fields(blocks))


def test_done_summary_shows_counts_rate_reach_and_ids() -> None:
    fallback, blocks = render_summary(summary())
    assert_within_limits((fallback, blocks))
    assert blocks[0]["type"] == "header"
    text = all_text(blocks)
    for expected in (
        "done",
        "orders-prod region=eu-west-1",
        "*Critical*\n1",
        "*High*\n2",
        "*Medium*\n3",
        "*Low*\n4",
        "*Info*\n5",
        "Passed 45 of 60 checks (75%)",
        "7 not applicable",
        "1 error",
        "2 suppressed",
        "2 accounts",
        "3 regions",
        "Done in 1m 23s",
        "<@U0123ABCD>",
        "`run-7`",
        "`corr-5f2a`",
    ):
        assert expected in text, expected
    assert blocks[-1]["type"] == "context" and "corr-5f2a" in blocks[-1]["elements"][0]["text"]
    assert "1 critical" in fallback and "2 high" in fallback


def test_labels_are_free_of_emoji_codes() -> None:
    _, blocks = render_summary(summary())
    assert ":" not in "".join(f["text"].split("\n")[0] for b in blocks for f in b.get("fields", []))


def test_running_summary_shows_progress_in_parts() -> None:
    _, blocks = render_summary(summary(state=AuditState.RUNNING, parts_done=3, parts_total=6))
    assert "3 of 6 parts" in all_text(blocks)


def test_queued_summary_has_no_counts_yet() -> None:
    empty = summary(
        state=AuditState.QUEUED,
        parts_done=0,
        failing=SeverityCounts(),
        passed=0,
        not_applicable=0,
        errors=0,
        suppressed=0,
        duration_seconds=None,
    )
    fallback, blocks = render_summary(empty)
    text = all_text(blocks)
    assert "Queued" in text and "*Critical*" not in text
    assert "queued" in fallback
    assert_within_limits((fallback, blocks))


def test_failed_summary_puts_the_problem_and_reference_up_front() -> None:
    failed = summary(
        state=AuditState.FAILED,
        problem="The role cachewarden-audit could not be assumed in 123456789012.",
        failing=SeverityCounts(),
        passed=0,
    )
    fallback, blocks = render_summary(failed)
    problem_block = blocks[2]
    assert problem_block["type"] == "section"
    assert "could not be assumed" in problem_block["text"]["text"]
    assert "`corr-5f2a`" in problem_block["text"]["text"]
    assert "could not be assumed" in fallback


def test_pass_rate_without_assessed_checks_is_not_a_number() -> None:
    _, blocks = render_summary(
        summary(failing=SeverityCounts(), passed=0, not_applicable=3, errors=0)
    )
    assert "Passed 0 of 0 checks (n/a)" in all_text(blocks)


@pytest.mark.parametrize("state", list(AuditState))
def test_hostile_values_render_inert_in_every_state(state: AuditState) -> None:
    hostile = summary(
        state=state,
        scope=HOSTILE * 5,
        requested_by=HOSTILE,
        run_id=HOSTILE,
        correlation_id=HOSTILE,
        problem=HOSTILE * 100,
    )
    reply = render_summary(hostile)
    assert_inert(reply)
    assert_within_limits(reply)
    assert "&lt;!channel&gt;" in json.dumps(reply)


def test_only_a_valid_requester_id_becomes_a_mention() -> None:
    reply = render_summary(summary(requested_by="U0123ABCD"))
    assert_inert(reply, mentions=True)
    assert "<@U0123ABCD>" in all_text(reply[1])


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, None), (0.2, "0s"), (59.6, "1m 00s"), (61, "1m 01s"), (3725, "1h 02m")],
)
def test_durations_read_naturally(seconds: float | None, shown: str | None) -> None:
    assert format_duration(seconds) == shown


def test_cost_findings_get_their_own_section_not_the_security_counts() -> None:
    fallback, blocks = render_summary(summary(cost=SeverityCounts(high=1, low=3)))
    assert_within_limits((fallback, blocks))
    fields = [f["text"] for b in blocks for f in b.get("fields", [])]
    assert "*High*\n2" in fields  # the security count, unchanged by the cost high
    cost = [b for b in blocks if "Cost and capacity" in b.get("text", {}).get("text", "")]
    assert len(cost) == 1
    assert "4 findings (1 high, 3 low)" in cost[0]["text"]["text"]
    assert "Passed 45 of 64 checks" in all_text(blocks)
    assert "4 cost findings" in fallback and "2 high" in fallback


def test_no_cost_section_without_cost_findings() -> None:
    _, blocks = render_summary(summary())
    assert "Cost and capacity" not in all_text(blocks)
