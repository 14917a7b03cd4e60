"""render_findings_thread: paging within Slack's limits, ordering kept, buttons opaque."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.slack.actions import ActionId
from bot.slack.render.blocks import render_findings_thread
from bot.slack.render.slack_findings import (
    COST_HEADING,
    finding_text,
    key_evidence,
    render_thread_replies,
)
from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status
from posture.messages import FindingAction, FindingLine, FindingsThread, ResourceFindings
from posture.report import build_findings_thread, finding_id
from posture.suppressions import AcceptedRisk
from tests.unit.render.slack_checks import (
    HOSTILE,
    Reply,
    assert_inert,
    assert_within_limits,
    buttons,
    line_actions,
    make_finding,
    menus,
    text_fields,
)

SEVERITIES = list(Severity)
# Rules that never fold into one another (posture.overlaps), so each finding is one line.
_KNOWN = (101, 103, 104, 105, 201, 202, 203, 204, 205, 301, 302, 303, 304, 306, 401, 402, 403)
_KNOWN += (405, 406, 501, 502, 503, 504, 505)
# Ids past CW-509 are unknown to the catalog: security findings that overlap nothing.
_NON_OVERLAPPING = tuple(f"CW-{n}" for n in (*_KNOWN, *range(510, 600)))
FIXABLE = frozenset({"CW-101", "CW-103"})


def many_findings(count: int, *, per_resource: int = 3) -> list[Finding]:
    return [
        make_finding(
            rule_id=_NON_OVERLAPPING[i % per_resource],
            resource_id=f"orders-{i // per_resource:05d}",
            severity=SEVERITIES[(i // per_resource) % len(SEVERITIES)],
            evidence=f"finding number {i}: " + "detail " * (i % 40),
        )
        for i in range(count)
    ]


def render(findings: list[Finding], **limits: int) -> list[Reply]:
    thread = build_findings_thread("run-42", findings, fixable_rules=FIXABLE)
    return render_findings_thread(thread, **limits)


def shown_ids(replies: list[Reply]) -> list[str]:
    """Finding ids in display order: each line's menu options carry one finding id."""
    ids: list[str] = []
    for _, blocks in replies:
        for block in blocks:
            pairs = line_actions(block)
            if pairs:
                values = {value for _, value in pairs}
                assert len(values) == 1, "one menu belongs to one finding"
                ids.append(values.pop())
    return ids


@pytest.mark.parametrize("count", [1, 50, 10_000])
def test_every_reply_fits_slack_and_every_finding_appears_once(count: int) -> None:
    findings = many_findings(count)
    replies = render(findings)
    for reply in replies:
        assert_within_limits(reply, max_blocks=45, max_chars=12_000)
    expected = {finding_id("run-42", f) for f in findings}
    ids = shown_ids(replies)
    assert len(ids) == len(set(ids)) == count
    assert set(ids) == expected


def test_large_audits_fill_replies_instead_of_posting_one_per_finding() -> None:
    replies = render(many_findings(500))
    per_reply = [len(shown_ids([reply])) for reply in replies]
    assert min(per_reply[:-1]) >= 5


@pytest.mark.parametrize(("max_blocks", "max_chars"), [(45, 12_000), (12, 4_000), (50, 40_000)])
def test_custom_budgets_hold(max_blocks: int, max_chars: int) -> None:
    replies = render(many_findings(300), max_blocks=max_blocks, max_chars=max_chars)
    for reply in replies:
        assert_within_limits(reply, max_blocks=max_blocks, max_chars=max_chars)
    assert len(shown_ids(replies)) == 300


def test_pages_are_numbered_and_order_is_kept() -> None:
    findings = many_findings(200)
    thread = build_findings_thread("run-42", findings, fixable_rules=FIXABLE)
    replies = render_findings_thread(thread)
    total = len(replies)
    assert total > 1
    for number, (text, blocks) in enumerate(replies, 1):
        assert blocks[0]["type"] == "context"
        assert f"Page {number} of {total}" in blocks[0]["elements"][0]["text"]
        assert f"page {number} of {total}" in text
    expected = [line.finding_id for r in thread.resources for line in r.findings]
    assert shown_ids(replies) == expected


def test_each_finding_keeps_its_section_with_its_buttons() -> None:
    for _, blocks in render(many_findings(120)):
        for index, block in enumerate(blocks):
            if block["type"] == "actions":
                assert blocks[index - 1]["type"] == "section"
                assert "*" in blocks[index - 1]["text"]["text"]


def test_a_resource_split_across_replies_is_introduced_again_as_continued() -> None:
    findings = many_findings(60, per_resource=60)  # one resource with 60 findings
    replies = render(findings)
    assert len(replies) > 1
    for position, (_, blocks) in enumerate(replies):
        heading = blocks[1]["text"]["text"]
        assert "*Replication group*" in heading and "orders-00000" in heading
        assert ("(continued)" in heading) == (position > 0)


def test_each_finding_is_one_compact_line_with_its_menu() -> None:
    findings = many_findings(100, per_resource=4)
    replies = render(findings)
    lines = [b for _, blocks in replies for b in blocks if line_actions(b)]
    assert len(lines) == 100
    for line in lines:
        text = line["text"]["text"]
        assert "\n" not in text, "a finding is one line"
        assert "Also known as" not in text, "aliases are in Explain, not the thread"
    assert not [b for _, blocks in replies for b in blocks if b["type"] in ("actions", "divider")]
    # One block per finding, one per resource (again when continued), one per page.
    assert sum(len(blocks) for _, blocks in replies) <= 100 + 25 + 2 * len(replies)


def test_resource_and_finding_details_are_shown() -> None:
    finding = make_finding(rule_id="CW-101", resource_id="orders-prod", severity=Severity.CRITICAL)
    (reply,) = render([finding])
    text = "\n".join(text_fields(reply[1]))
    for expected in (
        "Replication group",
        "`orders-prod`",
        "`123456789012`",
        "eu-west-1",
        "redis",
        "CRITICAL",
        "`CW-101`",
        "In-transit encryption is off: clients connect in plaintext",
        "TransitEncryptionEnabled is false",
    ):
        assert expected in text
    # A failing finding leads with what is wrong, not with the desired state; no aliases.
    assert "Caches encrypt traffic in transit" not in text
    assert "ElastiCache.5" not in text and "CKV_AWS_30" not in text


def test_overlapping_rules_show_as_one_line_naming_both() -> None:
    findings = [
        make_finding(rule_id="CW-304", resource_id="open", severity=Severity.CRITICAL),
        make_finding(rule_id="CW-305", resource_id="open", severity=Severity.MEDIUM),
    ]
    (reply,) = render(findings)
    lines = [b for b in reply[1] if line_actions(b)]
    assert len(lines) == 1
    assert "`CW-304` (also CW-305)" in lines[0]["text"]["text"]


def test_menus_carry_only_the_finding_id_and_known_action_ids() -> None:
    findings = [
        make_finding(rule_id="CW-101", resource_id="fixable"),
        make_finding(rule_id="CW-502", resource_id="manual"),
    ]
    replies = render(findings)
    by_value: dict[str, list[str]] = {}
    for menu in menus(replies[0][1]):
        assert menu["action_id"] == ActionId.FINDING_MENU
        for choice in menu["options"]:
            action_id, _, value = choice["value"].partition(":")
            assert re.fullmatch(r"[0-9a-f]{24}", value)
            by_value.setdefault(value, []).append(action_id)
    fixable = finding_id("run-42", findings[0])
    manual = finding_id("run-42", findings[1])
    assert by_value[fixable] == [ActionId.EXPLAIN, ActionId.REQUEST_FIX, ActionId.ACCEPT_RISK]
    assert by_value[manual] == [ActionId.EXPLAIN, ActionId.ACCEPT_RISK]
    labels = [c["text"]["text"] for c in menus(replies[0][1])[0]["options"]]
    assert labels == ["Explain", "Request fix", "Accept risk"]
    assert not buttons(replies[0][1]), "open findings get a menu, not a row of buttons"


def test_accepted_and_resolved_lines_say_so_and_offer_only_explain() -> None:
    fixed = make_finding(rule_id="CW-101", resource_id="fixed")
    accepted = make_finding(rule_id="CW-401", resource_id="kept", status=Status.SUPPRESSED)
    risk = AcceptedRisk(
        rule_id="CW-401",
        account=accepted.account,
        region=accepted.region,
        resource_kind=accepted.resource_kind,
        resource_id="kept",
        reason="cache only, rebuilt nightly",
        requested_by="U0ENGINEER",
        accepted_by="U0SECURITY",
        accepted_at=datetime(2026, 12, 1, tzinfo=UTC),
        until=datetime(2027, 1, 5, tzinfo=UTC),
        request_id="req00001",
    )
    thread = build_findings_thread(
        "run-42",
        [fixed, accepted],
        fixable_rules=FIXABLE,
        accepted=[risk],
        resolved={fixed.key: "U0ENGINEER"},
    )
    (reply,) = render_findings_thread(thread)
    assert_inert(reply, mentions=True)
    lines = {b["text"]["text"]: b for b in reply[1] if line_actions(b)}
    resolved = next(t for t in lines if "`CW-101`" in t)
    suppressed = next(t for t in lines if "`CW-401`" in t)
    assert resolved.startswith("*RESOLVED*") and "fix verified by <@U0ENGINEER>" in resolved
    assert suppressed.startswith("*ACCEPTED*")
    assert "accepted by <@U0SECURITY> until 2027-01-05" in suppressed
    for block in lines.values():
        assert [a for a, _ in line_actions(block)] == [ActionId.EXPLAIN]


def test_a_line_does_not_repeat_its_headline_or_carry_cut_links() -> None:
    headline = "TLS is optional: the cache still accepts plaintext clients"
    repeated = "still accepts plaintext clients (TransitEncryptionMode preferred)"
    assert key_evidence(headline, repeated) == "(TransitEncryptionMode preferred)"
    linked = (
        "runs redis 5.0.6, whose standard support ended on 2026-01-31 "
        "(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support.html)"
    )
    assert key_evidence("Engine version is past support", linked) == (
        "runs redis 5.0.6, whose standard support ended on 2026-01-31"
    )
    other = "is in public subnet subnet-1 (route table rtb-1 sends 0.0.0.0/0 to igw-1)"
    assert key_evidence("Cache has a subnet that routes to an internet gateway", other) == other
    line = FindingLine(
        finding_id="f1",
        rule_id="CW-102",
        title="Caches require TLS",
        headline=headline,
        severity=Severity.MEDIUM,
        aliases={},
        evidence=repeated,
        status=Status.FAIL,
        actions=(FindingAction.EXPLAIN,),
    )
    assert (
        finding_text(line) == f"*MEDIUM* {headline} · (TransitEncryptionMode preferred) · `CW-102`"
    )


def test_an_index_names_every_resource_past_the_reply_cap() -> None:
    findings = many_findings(600, per_resource=2)  # 300 resources
    thread = build_findings_thread("run-42", findings, fixable_rules=FIXABLE)
    replies = render_thread_replies(thread, max_replies=4)
    details = [r for r in replies if r.finding_ids]
    assert len(details) == 3 and len(replies) == 4
    shown = "\n".join(text for r in replies for b in r.blocks for text in text_fields(b))
    for resource in {f.resource_id for f in findings}:
        assert f"`{resource}`" in shown, f"{resource} is never named in chat"
    index = replies[-1]
    assert "more resources with findings" in index.text
    assert not index.finding_ids and not menus(index.blocks)
    for reply in replies:
        assert_within_limits((reply.text, reply.blocks), max_blocks=45, max_chars=12_000)


def test_hostile_names_render_inert_everywhere() -> None:
    findings = [
        make_finding(
            rule_id="CW-101",
            resource_id=HOSTILE,
            account=HOSTILE,
            region=HOSTILE,
            evidence=f"tag Owner={HOSTILE}",
        ),
        make_finding(resource_id=HOSTILE, status=Status.ERROR, evidence=HOSTILE),
    ]
    thread = build_findings_thread(HOSTILE, findings, fixable_rules=FIXABLE)
    replies = render_findings_thread(thread)
    assert len(replies) == 2
    for reply in replies:
        assert_inert(reply)
        assert_within_limits(reply)
    body = json.dumps(replies)
    assert "&lt;!channel&gt;" in body and "&lt;https://evil.example|click&gt;" in body


def test_errors_come_last_in_their_own_reply() -> None:
    findings = many_findings(5) + [
        make_finding(i, status=Status.ERROR, evidence=f"AccessDenied {i}") for i in range(3)
    ]
    replies = render(findings)
    text, blocks = replies[-1]
    assert "3 checks could not be evaluated" in text
    joined = "\n".join(text_fields(blocks))
    assert all(f"AccessDenied {i}" in joined for i in range(3))
    assert not buttons(blocks)
    assert f"Page {len(replies)} of {len(replies)}" in joined


def test_thousands_of_errors_stay_within_one_reply_and_are_counted() -> None:
    errors = [make_finding(i, status=Status.ERROR, evidence="x" * 900) for i in range(3000)]
    replies = render(errors)
    assert len(replies) == 1
    assert_within_limits(replies[0], max_blocks=45, max_chars=12_000)
    assert "more not shown here" in json.dumps(replies[0][1])


def test_nothing_failing_means_no_replies() -> None:
    assert render([make_finding(1, status=Status.PASS)]) == []


def test_a_non_opaque_finding_id_is_refused() -> None:
    line = FindingLine(
        finding_id="<!channel>",
        rule_id="CW-101",
        title="t",
        headline="t",
        severity=Severity.LOW,
        aliases={},
        evidence="",
        status=Status.FAIL,
        actions=(FindingAction.EXPLAIN,),
    )
    resource = ResourceFindings(
        resource_kind="replication_group",
        resource_id="r",
        account="1",
        region="eu-west-1",
        engine=None,
        findings=(line,),
    )
    with pytest.raises(ValueError, match="finding id"):
        render_findings_thread(FindingsThread(run_id="r", resources=(resource,)))


def test_cost_findings_come_after_security_under_their_own_heading() -> None:
    findings = [
        make_finding(rule_id="CW-609", resource_id="rn-1", kind=ResourceKind.RESERVED_NODE),
        make_finding(rule_id="CW-101", resource_id="orders", severity=Severity.LOW),
        make_finding(rule_id="CW-604", resource_id="idle", severity=Severity.CRITICAL),
    ]
    thread = build_findings_thread("run-42", findings, fixable_rules=FIXABLE)
    assert [r.resource_id for r in thread.resources] == ["orders"]
    assert {r.resource_id for r in thread.cost_resources} == {"rn-1", "idle"}
    (reply,) = render_findings_thread(thread)
    text = "\n".join(text_fields(reply[1]))
    heading = text.index(COST_HEADING)
    # Even a low security finding comes before a cost finding of any severity.
    assert text.index("`orders`") < heading < text.index("`idle`")
    assert heading < text.index("`rn-1`")
    assert "Reserved node is not matched by any running node" in text
    assert text.count(COST_HEADING) == 1


def test_no_cost_heading_without_cost_findings() -> None:
    (reply,) = render([make_finding(rule_id="CW-101")])
    assert COST_HEADING not in json.dumps(reply[1])
