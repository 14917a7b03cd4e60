"""The deny-reason rule both front ends apply (Slack's modal, Teams' card form)."""

from __future__ import annotations

from workers.approvals.flows import (
    DENY_REASON_MAX,
    DENY_REASON_MIN,
    deny_reason,
    deny_reason_problem,
)


def test_a_reason_is_kept_with_its_whitespace_folded() -> None:
    assert deny_reason("  not\n during   the sale ") == "not during the sale"


def test_a_reason_needs_five_characters_and_at_most_five_hundred() -> None:
    assert (DENY_REASON_MIN, DENY_REASON_MAX) == (5, 500)
    assert deny_reason_problem(deny_reason(" a  b ")) == "Give a reason of 5 characters or more."
    assert deny_reason_problem("abcde") is None
    assert deny_reason_problem("x" * 500) is None
    assert deny_reason_problem("x" * 501) == "Give a reason of at most 500 characters."
