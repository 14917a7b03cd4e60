"""bench.chat_path: the moments it times are found in the summary as Slack receives it."""

from __future__ import annotations

import json

from bench.chat_path import _SEVERITY_COUNT, _strings
from bot.slack.render.slack_summary import render_summary
from posture.messages import AuditState, AuditSummary, SeverityCounts


def _text(summary: AuditSummary) -> str:
    return "\n".join(_strings(json.loads(json.dumps(render_summary(summary)[1]))))


def test_failing_counts_are_seen_once_the_summary_has_them() -> None:
    queued = AuditSummary(run_id="r1", scope="x", state=AuditState.QUEUED, requested_by="U1")
    running = queued.model_copy(
        update={"state": AuditState.RUNNING, "failing": SeverityCounts(high=2)}
    )
    assert not _SEVERITY_COUNT.search(_text(queued))
    assert _SEVERITY_COUNT.search(_text(running))
    assert _SEVERITY_COUNT.search("*Critical*\n1")  # the field grid before issue 13
