"""The digest, the Home tab and the terminal digest, rendered within Slack's limits."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest

from bot.slack.render.slack_digest import render_digest
from bot.slack.render.slack_home import render_home
from bot.slack.render.text_digest import render_digest_text
from posture.base import Severity
from posture.digest import (
    Baseline,
    Digest,
    DigestInputs,
    ExpiringRisk,
    PendingApproval,
    ScheduleNote,
    TokenDue,
    build_digest,
    shown,
)
from posture.history import KeyHistory, PreviousScan, observe
from posture.home import HomePage, ScanLine, SubscriptionLine
from posture.messages import SeverityCounts
from tests.unit.digest.factories import ACCOUNT, REGION, at, finding
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits

NOW = at(10)
SEVERITIES = list(Severity)


def big_digest(count: int = 10_000, *, hostile: bool = False) -> Digest:
    name = HOSTILE if hostile else "cache"
    findings = [
        finding(
            f"r{i:05d}", rule=f"CW-{100 + i % 50}", severity=SEVERITIES[i % 5], title=f"{name} {i}"
        )
        for i in range(count)
    ]
    observation = observe(findings, NOW)
    keys = list(observation.failing)
    half = frozenset(keys[: count // 2])  # open at the baseline; the other half is new
    states = {
        k: KeyHistory(s, NOW - timedelta(days=40), NOW, NOW - timedelta(days=i % 40))
        if k in half
        else KeyHistory(s, NOW, NOW, NOW)
        for i, (k, s) in enumerate(observation.failing.items())
    }
    gone = frozenset(
        ("CW-999", ACCOUNT, REGION, "replication_group", f"g{i}") for i in range(count // 4)
    )
    baseline = Baseline(
        PreviousScan(at(9, hours=12), half | gone), SeverityCounts(high=7), SeverityCounts()
    )
    risk = ExpiringRisk(
        rule_id="CW-101",
        resource_id=name,
        account=ACCOUNT,
        region=REGION,
        until=NOW.date(),
        accepted_by="U_SEC",
        reason=name,
    )
    approval = PendingApproval(
        request_id="abcd1234",
        kind="accept_risk",
        requester="U_ENG",
        resource_id=name,
        change=name,
        expires_at=NOW,
    )
    tokens = [
        TokenDue(
            resource_kind="replication_group",
            resource_id=f"{name}{i}",
            account=ACCOUNT,
            region=REGION,
            changed_on=date(2026, 1, 1),
            due_on=date(2026, 4, 1),
            overdue=True,
        )
        for i in range(30)
    ]
    inputs = DigestInputs(
        channel="C1",
        scope=f"{name} region=eu-west-1",
        day=NOW.date(),
        timezone="Europe/Berlin",
        now=NOW,
        findings=findings,
        observation=observation,
        states=states,
        baseline=baseline,
        tokens=tokens,
        approvals=[approval] * 20,
        risks=[risk] * 20,
        schedule=ScheduleNote(
            trigger="schedule",
            scheduled_for="09:00 Europe/Berlin",
            late_minutes=125,
            missed_days=(date(2026, 5, 9),),
        ),
        report_filename="cachewarden-digest-2026-05-11.csv",
        chart_filename="cachewarden-trend-2026-05-11.png",
    )
    return build_digest(inputs, lambda rule: f"{name} rule {rule}")


def test_ten_thousand_finding_digest_stays_within_block_kit_limits() -> None:
    started = time.perf_counter()
    digest = big_digest()
    reply = render_digest(digest)
    assert time.perf_counter() - started < 10
    assert_within_limits(reply, max_chars=12_000)
    text = json.dumps(reply[1])
    assert "New since the last digest (5000)" in text
    assert "Resolved (2500)" in text
    assert "more in the report" in text
    assert "cachewarden-digest-2026-05-11.csv" in text
    assert "2 h 5 min" in text and "2026-05-09" in text


def test_hostile_values_render_inert() -> None:
    reply = render_digest(big_digest(200, hostile=True))
    assert_within_limits(reply, max_chars=12_000)
    assert_inert(reply, mentions=True)


def test_attached_files_are_linked_when_permalinks_are_known() -> None:
    digest = big_digest(20)
    url = "https://files.example.slack.com/files/F1/report.csv"
    _, blocks = render_digest(digest, links={digest.report_filename: url})
    assert f"<{url}|{digest.report_filename}>" in json.dumps(blocks)
    assert_inert(
        render_digest(digest, links={digest.report_filename: url}),
        links=frozenset({url}),
        mentions=True,
    )


def test_non_https_permalink_is_shown_as_text() -> None:
    digest = big_digest(5)
    for url in ("javascript:alert(1)", "http://127.0.0.1:9/files/F1/x.csv"):
        _, blocks = render_digest(digest, links={digest.report_filename: url})
        assert url not in json.dumps(blocks) and "(in this thread)" in json.dumps(blocks)


def test_files_and_scope_read_as_one_line() -> None:
    digest = big_digest(5)
    footer = render_digest(digest)[1][-1]
    assert footer["type"] == "context" and len(footer["elements"]) == 1
    text = footer["elements"][0]["text"]
    assert text.endswith(f"(in this thread) · Scope: {digest.scope}")


def test_first_digest_and_missing_approvals_say_so() -> None:
    digest = big_digest(3).model_copy(update={"compared_to": None, "approvals_available": False})
    text = json.dumps(render_digest(digest)[1])
    assert "First digest for this scope" in text
    assert "not available in this run" in text
    assert "New since the last digest" not in text


def test_terminal_digest_has_every_section() -> None:
    out = render_digest_text(big_digest(40))
    for heading in (
        "New (",
        "Resolved (",
        "Reopened (",
        "Oldest open high and critical (",
        "AUTH tokens due for rotation (30)",
        "Pending approvals (20)",
    ):
        assert heading in out
    assert "...and" in out


def _home(count: int, *, approver: bool) -> HomePage:
    approval = PendingApproval(
        request_id="abcd1234",
        kind="fix",
        requester="U_ENG",
        resource_id=HOSTILE,
        change=HOSTILE,
        expires_at=NOW,
    )
    scan = ScanLine(
        at=NOW,
        scope=HOSTILE,
        channel="C_PLATFORM",
        requested_by="U_ENG",
        source="audit",
        failing=SeverityCounts(high=3),
        score=70,
    )
    sub = SubscriptionLine(
        channel="C_PLATFORM",
        schedule="daily 09:00 Europe/Berlin",
        scope=HOSTILE,
        next_run=NOW,
        last_day=None,
    )
    return HomePage(
        user="U_ENG",
        generated_at=NOW,
        is_approver=approver,
        pending_approvals=shown([approval] * count, 8),
        my_requests=shown([approval] * count, 8),
        my_scans=shown([scan] * count, 8),
        recent_scans=shown([scan] * count, 8),
        subscriptions=shown([sub] * count, 8),
        scheduler_seen=None,
    )


@pytest.mark.parametrize("approver", [True, False])
def test_home_tab_fits_and_shows_approvals_only_to_approvers(approver: bool) -> None:
    view = render_home(_home(500, approver=approver))
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert ("Waiting for your approval (500)" in text) is approver
    assert "Digest subscriptions (500)" in text and "not running" in text
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "<#C_PLATFORM>" in text
    assert_within_limits(("home", view["blocks"]), max_chars=24_000)


def test_digest_lines_show_the_failure_headline_and_mark_cost() -> None:
    findings = [finding("idle", rule="CW-604", severity=Severity.LOW), finding("plain")]
    observation = observe(findings, NOW)
    baseline = Baseline(PreviousScan(at(9), frozenset()), SeverityCounts(), SeverityCounts())
    inputs = DigestInputs(
        channel="C1",
        scope="everything",
        day=NOW.date(),
        timezone="UTC",
        now=NOW,
        findings=findings,
        observation=observation,
        states={k: KeyHistory(s, NOW, NOW, NOW) for k, s in observation.failing.items()},
        baseline=baseline,
    )
    digest = build_digest(inputs, lambda rule: rule)
    _, blocks = render_digest(digest)
    chat = json.dumps(blocks)
    text = render_digest_text(digest)
    for out in (chat, text):
        assert "In-transit encryption is off: clients connect in plaintext" in out
        assert "Cache is idle: its busiest node stays under the CPU threshold" in out
        assert "Caches encrypt traffic in transit" not in out
    assert "*LOW cost*" in chat and "(cost)" in text
    assert "*HIGH cost*" not in chat
