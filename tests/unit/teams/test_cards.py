"""Adaptive Card renderers: valid 1.5 cards within Teams limits for every neutral message."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.teams.cards.approval import (
    render_accept_risk_form,
    render_approval_card,
    render_fix_result_card,
)
from bot.teams.cards.digest import render_digest_card
from bot.teams.cards.elements import MAX_CARD_CHARS, card_size, escape
from bot.teams.cards.explain import render_explain_card
from bot.teams.cards.findings import render_findings_cards
from bot.teams.cards.notices import (
    render_error_card,
    render_help_card,
    render_notice_card,
    render_usage_card,
)
from bot.teams.cards.rotation import render_rotation_card
from bot.teams.cards.summary import render_summary_card
from bot.teams.icons import color_icon
from bot.teams.verbs import REASON_INPUT, UNTIL_INPUT, Verb
from commands.errors import UsageError
from posture.approvals import ApprovalRequest, RequestKind, State
from posture.base import ResourceKind, Severity
from posture.catalog import all_controls, all_rules
from posture.explain import explain_document
from posture.messages import AuditState, AuditSummary, Notice, SeverityCounts
from posture.remediation import FixResult
from posture.report import build_findings_thread
from posture.rotation import Phase, RotationAction, RotationMode, RotationUpdate, SecretView
from tests.unit.digest.test_digest_render import big_digest
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import (
    actions,
    all_text,
    assert_no_foreign_links,
    assert_valid_card,
    elements,
    execute_actions,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
HOSTILE = "[click me](https://evil.example) **bold** _x_ `code` <at>Everyone</at>"
SEVERITIES = list(Severity)


def summary(**changes: object) -> AuditSummary:
    base = AuditSummary(
        run_id="run-42",
        scope="orders-prod region=eu-west-1",
        state=AuditState.RUNNING,
        requested_by="Alice",
        parts_done=3,
        parts_total=8,
        accounts=1,
        regions=2,
        failing=SeverityCounts(critical=1, high=2),
        passed=10,
        correlation_id="cid-1",
    )
    return base.model_copy(update=changes)


def request(**changes: object) -> ApprovalRequest:
    base = ApprovalRequest(
        request_id="req12345",
        kind=RequestKind.FIX,
        requester="Alice",
        created_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(hours=23),
        rule_id="CW-101",
        account="123456789012",
        region="eu-west-1",
        resource_kind="replication_group",
        resource_id="orders-prod",
        change="turn on automatic backups",
        api_call="elasticache.ModifyReplicationGroup(SnapshotRetentionLimit=7)",
        risk="a short I/O pause",
        backout="set it back to 0",
    )
    return base.model_copy(update=changes)


def thread(count: int):  # type: ignore[no-untyped-def]
    findings = [
        make_finding(
            rule_id=f"CW-{101 + i % 3}",
            resource_id=f"orders-{i // 3:05d}",
            severity=SEVERITIES[(i // 3) % 5],
            evidence=f"finding {i}: " + "detail " * (i % 40),
        )
        for i in range(count)
    ]
    return build_findings_thread("run-42", findings, fixable_rules=frozenset({"CW-101"}))


@pytest.mark.parametrize("state", list(AuditState))
def test_summary_card_at_every_state(state: AuditState) -> None:
    card = render_summary_card(summary(state=state, problem="one region timed out"))
    assert_valid_card(card)
    text = all_text(card)
    assert "orders-prod region=eu-west-1" in text
    assert ("▰" in text) is (state is AuditState.RUNNING)  # progress only while running
    assert ("timed out" in text) is True


def test_summary_progress_counts_parts() -> None:
    text = all_text(render_summary_card(summary(parts_done=3, parts_total=8)))
    assert "Running: 3 of 8 parts done." in text
    assert "38%" in text


@pytest.mark.parametrize("count", [1, 7, 300, 3000])
def test_findings_pages_fit_and_show_every_finding_once(count: int) -> None:
    built = thread(count)
    cards = render_findings_cards(built)
    ids = [a["data"]["finding_id"] for c in cards for a in actions(c) if a["verb"] == Verb.EXPLAIN]
    expected = [line.finding_id for r in built.resources for line in r.findings]
    assert ids == expected  # order kept, nothing lost or repeated
    for number, card in enumerate(cards, 1):
        assert_valid_card(card)
        if len(cards) > 1:
            assert f"Page {number} of {len(cards)}" in all_text(card)
        else:  # one page: no "Page 1 of 1", as on Slack
            assert "Page " not in all_text(card)
    if count == 3000:
        assert len(cards) < 3000 / 10  # pages are filled, not one post per finding


def test_finding_buttons_carry_only_the_opaque_id_and_fix_only_when_fixable() -> None:
    findings = [
        make_finding(rule_id=rule, resource_id="orders-00001")
        for rule in ("CW-101", "CW-103", "CW-204")
    ]
    built = build_findings_thread("run-42", findings, fixable_rules=frozenset({"CW-101"}))
    cards = render_findings_cards(built)
    by_rule: dict[str, set[str]] = {}
    titles: dict[str, set[str]] = {}
    for action in actions(cards[0]):
        assert set(action["data"]) == {"verb", "finding_id"}
        by_rule.setdefault(action["data"]["finding_id"], set()).add(action["verb"])
        titles.setdefault(action["data"]["finding_id"], set()).add(action["title"])
    verbs = sorted(map(sorted, by_rule.values()))
    assert verbs.count([Verb.ACCEPT_RISK, Verb.EXPLAIN, Verb.REQUEST_FIX]) == 2  # CW-101, CW-103
    assert [Verb.ACCEPT_RISK, Verb.EXPLAIN] in verbs  # CW-204: nothing cachewarden runs
    shown = sorted(map(sorted, titles.values()))
    assert ["Accept risk", "Explain", "Request rebuild"] in shown  # CW-103's fix is a rebuild
    assert ["Accept risk", "Explain", "Request fix"] in shown


def test_errors_come_last_and_are_counted() -> None:
    built = thread(2).model_copy(update={"errors": tuple(f"CW-1 failed {i}" for i in range(5000))})
    cards = render_findings_cards(built)
    assert_valid_card(cards[-1])
    assert "5000 checks could not be evaluated" in all_text(cards[-1])
    assert "more not shown here" in all_text(cards[-1])


def test_hostile_text_stays_literal() -> None:
    finding = make_finding(rule_id="CW-101", resource_id="orders", evidence=HOSTILE)
    cards = render_findings_cards(build_findings_thread("r", [finding], fixable_rules=frozenset()))
    for card in [*cards, render_summary_card(summary(scope=HOSTILE, problem=HOSTILE))]:
        assert_no_foreign_links(card)
        assert "\\[click me\\](https://evil.example)" in all_text(card)
        assert "\\*\\*bold\\*\\*" in all_text(card)


def test_escape_covers_emphasis_and_link_syntax() -> None:
    assert escape("a_b*c[d](e)`f`\\") == "a\\_b\\*c\\[d\\](e)\\`f\\`\\\\"


@pytest.mark.parametrize("state", list(State))
def test_approval_buttons_only_while_pending(state: State) -> None:
    decided = {"decided_by": "Bob", "decided_at": NOW} if state is not State.PENDING else {}
    card = render_approval_card(request(state=state, **decided))
    assert_valid_card(card)
    verbs = [a["verb"] for a in execute_actions(card)]
    if state is State.PENDING:
        assert verbs == [Verb.APPROVE, Verb.DENY]
        assert all(
            a["data"] == {"verb": a["verb"], "request_id": "req12345"}
            for a in execute_actions(card)
        )
    else:
        assert verbs == []
        assert "Bob" in all_text(card) or state is State.EXPIRED


def test_approval_shows_the_exact_call_and_accept_risk_its_reason() -> None:
    fix = all_text(render_approval_card(request()))
    assert "ModifyReplicationGroup(SnapshotRetentionLimit=7)" in fix
    risk = render_approval_card(
        request(kind=RequestKind.ACCEPT_RISK, reason="legacy client", accept_until=NOW)
    )
    assert_valid_card(risk)
    facts = [f for e in elements(risk) if e["type"] == "FactSet" for f in e["facts"]]
    assert {"title": "Reason", "value": "legacy client"} in facts
    assert {
        "title": "Suppressed until",
        "value": "2026\\-12\\-07",
    } not in facts  # dates not escaped
    assert {"title": "Suppressed until", "value": "2026-12-07"} in facts


def test_accept_risk_form_asks_for_reason_and_expiry() -> None:
    line = thread(1).resources[0].findings[0]
    card = render_accept_risk_form(line, "Replication group orders-00000", date(2026, 12, 7))
    assert_valid_card(card)
    inputs = {e["id"]: e for e in elements(card) if e["type"].startswith("Input.")}
    assert inputs[REASON_INPUT]["type"] == "Input.Text"
    assert inputs[REASON_INPUT]["isRequired"] is True
    assert inputs[REASON_INPUT]["maxLength"] == 500
    assert inputs[UNTIL_INPUT]["type"] == "Input.Date"
    assert inputs[UNTIL_INPUT]["min"] == "2026-12-08"
    assert inputs[UNTIL_INPUT]["max"] == "2027-12-07"
    (submit,) = actions(card)
    assert submit["verb"] == Verb.SUBMIT_RISK
    assert submit["data"]["finding_id"] == line.finding_id


def test_fix_result_offers_the_next_step_only_when_there_is_one() -> None:
    result = FixResult(
        request_id="req12345",
        rule_id="CW-101",
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id="orders",
        verified=True,
        evidence="SnapshotRetentionLimit is 7",
    )
    assert actions(render_fix_result_card(result)) == []
    follow = render_fix_result_card(result.model_copy(update={"next_finding_id": "abc123"}))
    assert_valid_card(follow)
    assert [a["data"]["finding_id"] for a in actions(follow)] == ["abc123"]


def rotation(**changes: object) -> RotationUpdate:
    base = RotationUpdate(
        rotation_id="abcdef0123456789",
        group_id="orders",
        account="111111111111",
        region="us-east-1",
        mode=RotationMode.AUTH_TOKEN,
        phase=Phase.BOTH_VALID,
        headline="both tokens work",
        state="Both tokens work now. Move every client, then press Finalize.",
        secrets=(SecretView(name="cachewarden/auth/orders", arn="arn:aws:secretsmanager:x"),),
        actions=(RotationAction.FINALIZE, RotationAction.CANCEL),
    )
    return base.model_copy(update=changes)


def test_rotation_card_names_secrets_and_offers_finalize_and_cancel() -> None:
    card = render_rotation_card(rotation())
    assert_valid_card(card)
    assert [a["verb"] for a in actions(card)] == [Verb.FINALIZE, Verb.CANCEL]
    assert "cachewarden/auth/orders" in all_text(card)
    closed = render_rotation_card(rotation(), closed_by="Bob", closed_what="Finalized")
    assert actions(closed) == []
    assert "Finalized by Bob." in all_text(closed)


def test_digest_fits_for_ten_thousand_findings_and_embeds_a_small_chart() -> None:
    digest = big_digest(10_000, hostile=True)
    card = render_digest_card(digest, color_icon())
    assert_valid_card(card)
    assert_no_foreign_links(card)
    text = all_text(card)
    assert "more in the report" in text
    images = [e for e in elements(card) if e["type"] == "Image"]
    assert len(images) == 1
    assert base64.b64decode(images[0]["url"].split(",", 1)[1]) == color_icon()
    assert (
        card_size({**card, "body": [e for e in card["body"] if e["type"] != "Image"]})
        <= MAX_CARD_CHARS
    )


def test_digest_names_a_chart_too_large_to_embed() -> None:
    digest = big_digest(10)
    card = render_digest_card(digest, b"\x89PNG" + b"0" * 70_000)
    assert not [e for e in elements(card) if e["type"] == "Image"]
    assert digest.chart_filename in all_text(card)


def test_every_rule_and_control_explains_within_limits() -> None:
    for rule in all_rules():
        card = render_explain_card(explain_document(rule))
        assert_valid_card(card)
        assert_no_foreign_links(card)
        assert rule.id in all_text(card)
    for control in all_controls():
        card = render_explain_card(explain_document(control))
        assert_valid_card(card)
        assert f"covers {len(control.rules)} cachewarden rules" in all_text(card)
        for rule_id in control.rules:
            assert rule_id in all_text(card)


def test_explain_links_only_catalog_references() -> None:
    rule = all_rules()[0]
    card = render_explain_card(explain_document(rule))
    links = json.dumps(card)
    for url in rule.references:
        assert f"]({url})" in links


def test_short_answers() -> None:
    notice = render_notice_card(Notice(text="queued", detail="correlation id x"))
    usage = render_usage_card(UsageError("Which rule?", "Usage: explain <id>"))
    help_card = render_help_card("cachewarden keeps ElastiCache secure.\n  audit [scope]")
    error = render_error_card("ref123")
    for card in (notice, usage, help_card, error):
        assert_valid_card(card)
    assert "Which rule?" in all_text(usage)
    assert "ref123" in all_text(error)
