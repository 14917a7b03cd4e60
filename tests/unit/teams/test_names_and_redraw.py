"""Display names instead of Entra object ids, and findings replies redrawn after a fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fakeredis

from bot.teams.cards.approval import render_approval_card
from bot.teams.cards.findings import render_findings_pages
from bot.teams.names import DisplayNames, clean_name
from bot.teams.notifier import TeamsNotifier
from bot.teams.references import ConversationStore, TeamsReference
from posture.approvals import ApprovalRequest, RequestKind
from posture.report import build_findings_thread
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import all_text, assert_valid_card
from tests.unit.teams.test_notifier import RecordingConnector

ERIN = "6f1c0c3e-0000-4000-8000-00000000e001"
SAM = "6f1c0c3e-0000-4000-8000-00000000a001"
CHANNEL = "19:chan@thread.tacv2"
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _request(decided_by: str | None = None) -> ApprovalRequest:
    return ApprovalRequest(
        request_id="req12345", kind=RequestKind.FIX, requester=ERIN, created_at=NOW,
        expires_at=NOW + timedelta(days=1), account="123456789012", region="eu-west-1",
        resource_kind="replication_group", resource_id="orders", change="x", api_call="y",
        decided_by=decided_by,
    )  # fmt: skip


def test_names_are_cleaned_looked_up_case_blind_and_unknown_ids_stay_ids() -> None:
    names = DisplayNames(fakeredis.FakeRedis())
    names.remember(ERIN.upper(), "Erin\x00 Engineer\n")
    names.remember(SAM, "")  # no name sent: nothing stored
    assert clean_name("a" * 200) == "a" * 80
    assert names.of(ERIN) == "Erin Engineer"
    assert names.of(SAM) == SAM
    named = names.approval(_request(decided_by=SAM))
    assert (named.requester, named.decided_by) == ("Erin Engineer", SAM)
    card = render_approval_card(named)
    assert "Requested by Erin Engineer" in all_text(card) and ERIN not in all_text(card)


def _notifier() -> tuple[TeamsNotifier, RecordingConnector, DisplayNames]:
    connection = fakeredis.FakeRedis()
    ConversationStore(connection).remember(
        TeamsReference(
            conversation_id=CHANNEL,
            service_url="https://smba.example/",
            conversation_type="channel",
        )
    )
    connector = RecordingConnector()
    made = TeamsNotifier(connector, ConversationStore(connection), connection)  # type: ignore[arg-type]
    return made, connector, DisplayNames(connection)


def test_each_findings_reply_remembers_its_findings_and_is_redrawn_resolved_with_a_name() -> None:
    made, connector, names = _notifier()
    names.remember(ERIN, "Erin Engineer")
    findings = [make_finding(i, rule_id="CW-101", evidence="y" * 500) for i in range(60)]
    thread = build_findings_thread("run-1", findings, fixable_rules=frozenset({"CW-101"}))
    posted = made.post_thread(CHANNEL, "1001", thread)
    assert len(posted) > 1
    shown = [fid for reply in posted for fid in reply.finding_ids]
    assert sorted(shown) == sorted(line.finding_id for r in thread.resources for line in r.findings)
    assert [p.finding_ids for p in posted] == [p.finding_ids for p in render_findings_pages(thread)]

    target = findings[-1]
    fixed = build_findings_thread(
        "run-1", findings, fixable_rules=frozenset({"CW-101"}), resolved={target.key: ERIN}
    )
    target_id = next(
        line.finding_id
        for resource in fixed.resources
        if resource.resource_id == target.resource_id
        for line in resource.findings
    )
    reply = next(r for r in posted if target_id in r.finding_ids)
    made.update_thread_reply(CHANNEL, reply, fixed)
    (where, activity_id), card = connector.updated[-1], connector.last_update
    assert where == f"{CHANNEL};messageid=1001" and activity_id == reply.ts
    assert_valid_card(card)
    text = all_text(card)
    assert "**RESOLVED** CW-101" in text and "fix verified by Erin Engineer" in text
    if reply.pages > 1:
        assert f"Page {reply.page} of {reply.pages}" in text
    else:
        assert "Page " not in text
    assert ERIN not in text


def test_a_reply_without_findings_is_never_redrawn() -> None:
    made, connector, _ = _notifier()
    thread = build_findings_thread("run-1", [make_finding(0)], fixable_rules=frozenset())
    (reply,) = made.post_thread(CHANNEL, "1001", thread)
    made.update_thread_reply(CHANNEL, reply.__class__(reply.ts, (), 1, 1), thread)
    assert connector.updated == []


def test_the_summary_names_the_worst_the_cost_apart_and_accepted_risks_by_display_name() -> None:
    from bot.teams.cards.summary import render_summary_card
    from posture.base import Severity
    from posture.messages import (
        AcceptedLine,
        AuditState,
        AuditSummary,
        SeverityCounts,
        TopFinding,
    )

    top = TopFinding(
        severity=Severity.CRITICAL, headline="Cache port open to 0.0.0.0/0", rule_id="CW-304",
        also=("CW-305",), resource_kind="serverless_cache", resource_id="sessions",
        account="123456789012", region="eu-west-1", others=2,
    )  # fmt: skip
    cost = top.model_copy(update={"severity": Severity.LOW, "rule_id": "CW-606",
                                  "headline": "Reserved node lease ends", "also": ()})  # fmt: skip
    summary = AuditSummary(
        run_id="run-1", scope="everything", state=AuditState.DONE, requested_by=ERIN,
        failing=SeverityCounts(critical=1, medium=2), cost=SeverityCounts(low=1), passed=9,
        top=(top,), cost_top=(cost,), accepted=(AcceptedLine(
            headline="Backups are off", rule_id="CW-401", resource_kind="replication_group",
            resource_id="scratch",
            accepted_by=SAM, until=NOW + timedelta(days=30),
        ),),
    )  # fmt: skip
    names = DisplayNames(fakeredis.FakeRedis())
    names.remember(ERIN, "Erin Engineer")
    names.remember(SAM, "Sam Security")
    card = render_summary_card(names.summary(summary))
    assert_valid_card(card)
    text = all_text(card)
    assert "Security: 3 problems (1 critical · 2 medium)" in text
    assert "Worst first" in text and "CW-304, CW-305" in text and "and 2 more resources" in text
    assert "Cost and capacity: 1 finding (1 low)" in text and "CW-606" in text
    assert "accepted by Sam Security until" in text
    assert "Requested by Erin Engineer" in text
    assert "Info" not in text and ERIN not in text and SAM not in text


def test_the_audit_log_keeps_the_actor_id_and_shows_the_name_beside_it() -> None:
    from dataclasses import replace

    from bot.teams.commands import parse_teams_text
    from bot.teams.dispatch import answer
    from tests.unit.teams.test_commands import ACTOR, flow_context, unescaped
    from workers.trail.log import AuditLog

    ctx = flow_context(f'[teams]\napprover_users = ["{SAM}"]\n')
    DisplayNames(ctx.connection).remember(ERIN, "Erin Engineer")
    AuditLog(ctx.connection).append("request.created", actor=ERIN, request_id="r1")
    approver = replace(ACTOR, conversation_type="personal", conversation_id="a:chat-1",
                       user_aad_id=SAM)  # fmt: skip
    text = unescaped(answer(parse_teams_text("log 5"), approver, ctx, "cid"))
    assert f"actor={ERIN} (Erin Engineer)" in text


def test_an_accepted_finding_is_redrawn_as_accepted_with_who_and_until() -> None:
    from posture.findings import Status
    from posture.suppressions import AcceptedRisk

    finding = make_finding(0, rule_id="CW-101", status=Status.SUPPRESSED)
    risk = AcceptedRisk.model_validate({
        "rule_id": "CW-101", "account": finding.account, "region": finding.region,
        "resource_kind": str(finding.resource_kind), "resource_id": finding.resource_id,
        "reason": "retired next sprint", "requested_by": ERIN, "accepted_by": SAM,
        "accepted_at": NOW, "until": NOW + timedelta(days=30), "request_id": "req12345",
    })  # fmt: skip
    thread = build_findings_thread("run-1", [finding], fixable_rules=frozenset(), accepted=[risk])
    names = DisplayNames(fakeredis.FakeRedis())
    names.remember(SAM, "Sam Security")
    (page,) = render_findings_pages(names.thread(thread))
    text = all_text(page.card)
    assert "**ACCEPTED** CW-101" in text and "accepted by Sam Security until 2027-01-06" in text
    assert "Evidence" not in text and SAM not in text
