"""render_summary: every audit state, counts, reference ids, hostile values."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.slack.render.blocks import render_summary
from bot.slack.render.slack_summary import format_duration
from posture.messages import AcceptedLine, AuditState, AuditSummary, SeverityCounts, TopFinding
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
        "*Security: 15 problems* (1 critical · 2 high · 3 medium · 4 low · 5 info)",
        "Passed 45 of 60 checks (75%)",
        "7 not applicable",
        "1 error",
        "2 suppressed (accepted risk)",
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
    security = next(b for b in blocks if "*Security:" in b.get("text", {}).get("text", ""))
    assert "2 high" in security["text"]["text"]  # the security count, unchanged by the cost high
    cost = [b for b in blocks if "Cost and capacity" in b.get("text", {}).get("text", "")]
    assert len(cost) == 1
    assert "4 findings* (1 high · 3 low)" in cost[0]["text"]["text"]
    assert blocks.index(security) < blocks.index(cost[0])
    assert "Passed 45 of 64 checks" in all_text(blocks)
    assert "4 cost findings" in fallback and "2 high" in fallback


def test_no_cost_section_without_cost_findings() -> None:
    _, blocks = render_summary(summary())
    assert "Cost and capacity" not in all_text(blocks)


def _top(rule: str, severity: str, resource: str, headline: str, **extra: object) -> TopFinding:
    return TopFinding.model_validate(
        {
            "severity": severity,
            "headline": headline,
            "rule_id": rule,
            "resource_kind": "replication_group",
            "resource_id": resource,
            "account": "123456789012",
            "region": "eu-west-1",
            **extra,
        }
    )


def test_summary_leads_with_the_worst_problems_named_with_their_resource() -> None:
    top = (
        _top(
            "CW-304",
            "critical",
            "orders-prod",
            "Cache port open to 0.0.0.0/0 or ::/0",
            also=("CW-305",),
        ),
        _top(
            "CW-203",
            "high",
            "sessions",
            "An enabled RBAC user of the cache connects without a password",
        ),
    )
    cost_top = (_top("CW-605", "low", "ri-1", "Reserved node lease ends within 7 days", others=2),)
    fallback, blocks = render_summary(
        summary(
            failing=SeverityCounts(critical=1, high=1),
            cost=SeverityCounts(low=1),
            top=top,
            cost_top=cost_top,
            folded=1,
        )
    )
    assert_within_limits((fallback, blocks))
    security = next(
        b["text"]["text"] for b in blocks if "*Security:" in b.get("text", {}).get("text", "")
    )
    assert (
        "1. *CRITICAL* Cache port open to 0.0.0.0/0 or ::/0 · replication group `orders-prod`"
        in security
    )
    assert "CW-304, CW-305" in security
    assert "2. *HIGH* An enabled RBAC user" in security and "`sessions`" in security
    assert "Reserved node" not in security, "cost never sits among the security problems"
    assert "1 overlapping check folded in" in all_text(blocks)
    assert "`ri-1` (123456789012, eu-west-1) and 2 more resources · CW-605" in all_text(blocks)
    assert "worst: Cache port open" in fallback and "orders-prod" in fallback


def test_no_empty_counts_are_shown() -> None:
    _, blocks = render_summary(
        summary(failing=SeverityCounts(high=2), not_applicable=0, errors=0, suppressed=0)
    )
    text = all_text(blocks)
    assert "(2 high)" in text
    for empty in ("0 critical", "0 info", "Info", "0 not applicable", "0 errors", "0 suppressed"):
        assert empty not in text
    assert not [b for b in blocks if b.get("fields")]


def test_accepted_risks_are_listed_with_who_and_until_when() -> None:
    accepted = AcceptedLine(
        headline="Automatic backups are off",
        rule_id="CW-401",
        resource_kind="replication_group",
        resource_id="risky",
        accepted_by="U0SECURITY",
        until=datetime(2027, 1, 5, tzinfo=UTC),
    )
    fallback, blocks = render_summary(summary(suppressed=1, accepted=(accepted,), resolved=2))
    assert_inert((fallback, blocks), mentions=True)
    text = all_text(blocks)
    assert "Automatic backups are off · replication group `risky`" in text
    assert "accepted by <@U0SECURITY> until 2027-01-05" in text
    assert "2 fixed and verified since" in text and "1 suppressed (accepted risk)" in text
