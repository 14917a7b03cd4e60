"""Issue 13 item 7: plain_text shows what it says (no `&lt;`), and no empty severity fields."""

from __future__ import annotations

from bot.slack.render.blocks import render_summary
from bot.slack.render.slack_digest import severity_fields as digest_fields
from bot.slack.render.slack_summary import counts_text
from posture.messages import AuditState, AuditSummary, SeverityCounts
from tests.unit.render.slack_checks import assert_inert, assert_within_limits

SCOPE = "tag=owner=<!channel> & co"


def test_summary_header_shows_the_scope_verbatim_and_the_fallback_stays_escaped() -> None:
    summary = AuditSummary(
        run_id="r1", scope=SCOPE, state=AuditState.RUNNING, requested_by="U0123ABCD"
    )
    reply = render_summary(summary)
    header = reply[1][0]["text"]
    assert header["type"] == "plain_text"
    assert header["text"] == f"ElastiCache audit (running): {SCOPE}"
    assert "&lt;!channel&gt; &amp; co" in reply[0]  # the notification text is mrkdwn
    assert_inert(reply, mentions=True)
    assert_within_limits(reply)


def test_only_severities_with_failures_get_a_field() -> None:
    assert counts_text(SeverityCounts(high=2, info=0)) == "2 high"
    assert counts_text(SeverityCounts(critical=1, low=3)) == "1 critical · 3 low"
    assert counts_text(SeverityCounts()) == ""


def test_digest_keeps_a_severity_that_dropped_to_zero() -> None:
    fields = digest_fields(SeverityCounts(high=1), SeverityCounts(high=1, low=2))
    assert fields == ["*High*\n1 (±0)", "*Low*\n0 (-2)"]
    assert digest_fields(SeverityCounts(), None) == ["*Failing*\nnone"]


def test_zero_counts_are_left_out_of_the_totals_line() -> None:
    from bot.slack.render.slack_summary import totals_line

    line = totals_line(
        AuditSummary(
            run_id="r1", scope="x", state=AuditState.DONE, requested_by="U0123ABCD", passed=3
        )
    )
    assert line == "Passed 3 of 3 checks (100%)"


def test_home_scan_lines_leave_out_severities_with_no_failures() -> None:
    from datetime import UTC, datetime

    from bot.slack.render.slack_home import scan_line
    from posture.home import ScanLine

    def line(counts: SeverityCounts) -> str:
        moment = datetime(2026, 12, 8, 2, 2, tzinfo=UTC)
        scan = ScanLine(
            at=moment, scope="x", channel="", requested_by="U1", source="audit",
            failing=counts, score=94,
        )  # fmt: skip
        return scan_line(scan)

    assert line(SeverityCounts(medium=3, low=2)).endswith(": 5 failing · score 94")
    assert line(SeverityCounts(critical=1, medium=3)).endswith("4 failing (1 critical) · score 94")
    assert "(1 critical, 2 high)" in line(SeverityCounts(critical=1, high=2))


def test_a_notice_about_someone_names_them_with_a_mention() -> None:
    from bot.slack.render.blocks import render_notice
    from posture.messages import Notice

    said = Notice(text="U0ENGINEER subscribed this channel <daily>.", by="U0ENGINEER")
    (block,) = render_notice(said)[1]
    assert block["text"]["text"] == "<@U0ENGINEER> subscribed this channel &lt;daily&gt;."
    odd = Notice(text="<!here> did it", by="<!here>")  # not a user id: stays text
    (block,) = render_notice(odd)[1]
    assert block["text"]["text"] == "&lt;!here&gt; did it"
