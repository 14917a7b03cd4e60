"""The demo's browser story in headless Chromium (Debian's package) driven by Playwright.

Each step saves a screenshot under artifacts/screenshots/ as a test artifact.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.demo import start_demo
from sandbox.redis_server import free_port
from sandbox.stack import Stack
from tests.browser.slack_story import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    REPLIES,
    SHOTS,
    approve,
    as_user,
    first_audit,
    home_deny_with_reason,
    open_thread,
    scroll_to,
    send,
    to_platform,
)

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "SHOTS"]  # the Teams story borrows these

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.xdist_group("demo"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium (make bootstrap installs it)"
    ),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_demo(free_port(), tmp_path_factory.mktemp("demo-logs"))
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def page(demo: Stack) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        opened = context.new_page()
        opened.goto(f"{demo.emulator.base_url}?channel=C_PLATFORM&user=U_ENGINEER")
        yield opened
        browser.close()


def test_story(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    # 1. An engineer runs an audit; the ephemeral acknowledgement appears at once.
    send(page, "/cache-audit")
    expect(page.get_by_text("queued for 2 accounts, 2 regions").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "01-audit-queued.png"))

    # 2. The summary says what is worst, by name; the thread has one line and one menu per finding.
    summary = page.get_by_test_id("message").filter(has_text="ElastiCache audit (done)")
    expect(summary.first).to_be_visible(timeout=60_000)
    expect(summary.first.get_by_text("Worst first").first).to_be_visible()
    expect(summary.first.get_by_text("Cost and capacity").first).to_be_visible()
    expect(summary.first.get_by_text("Info 0")).to_have_count(0)
    worst = summary.first.inner_text().split("Worst first:")[1].split("Cost and capacity")[0]
    named = [line for line in worst.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(named) == 3 and all("cw-" in line and "CW-" in line for line in named), worst
    assert "Reserved node" not in worst  # billing findings never among the security worst
    page.screenshot(path=str(SHOTS / "02-audit-summary.png"))
    summary.first.get_by_text("replies").first.click()
    thread = page.get_by_test_id("thread-panel")
    menus = thread.locator('[data-action-id="finding_menu"]')
    expect(menus.first).to_be_visible(timeout=10_000)
    expect(thread.get_by_text("CW-").first).to_be_visible()
    expect(thread.get_by_text("Also known as")).to_have_count(0)  # aliases live in Explain
    scroll_to(menus.first)  # the worst come first
    expect(thread.get_by_text("Page 1 of 1")).to_have_count(0)  # one page is not counted
    page.screenshot(path=str(SHOTS / "03-thread-findings.png"))
    # A taller window for the README: the summary beside the thread's first page of lines.
    page.set_viewport_size({"width": 1400, "height": 1300})
    thread.get_by_text("Page 1 of").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(SHOTS / "03b-thread-first-page.png"))
    page.set_viewport_size({"width": 1400, "height": 900})

    # 3. Explain, chosen from a finding's menu, opens a modal with this resource's own commands.
    menus.first.select_option(label="Explain")
    modal = page.get_by_test_id("modal-body")
    expect(modal.get_by_text("Why it matters").first).to_be_visible(timeout=10_000)
    expect(modal.get_by_text("Check it yourself").first).to_be_visible()
    explained = modal.inner_text()
    assert "<replication-group-id>" not in explained and "<security-group-id>" not in explained
    # The commands carry this resource's own name and security group, as the scan saw them.
    assert "--serverless-cache-name cw-serverless-memcached-0002" in explained
    assert "Values=sg-" in explained
    expect(page.get_by_test_id("modal-submit")).to_be_hidden()  # read-only: Close only
    page.screenshot(path=str(SHOTS / "04-explain-finding.png"))
    page.get_by_test_id("modal-close").click()
    expect(modal).to_be_hidden(timeout=10_000)

    # 4. /cache-explain EC-014 shows the control with both of its rules.
    send(page, "/cache-explain EC-014")
    expect(page.get_by_text("CW-103").last).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "05-explain-ec014.png"))

    # 5. A bad command gets its usage answer, not an error.
    send(page, "/cache-audit region=mars-1")
    expect(page.get_by_text("is not an AWS region name").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Usage: /cache-audit").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "06-usage-answer.png"))

    # 6. A scope naming nothing answers privately with close matches; nothing is queued.
    send(page, "/cache-audit cw-does-not-exist")
    expect(page.get_by_text("was seen in the last scan").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Scan anyway").first).to_be_visible()
    expect(page.get_by_text("Passed 0 of 0")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "07-bad-scope.png"))
    # A near miss names the close matches, as buttons; still nothing is queued.
    send(page, "/cache-audit cw-reddis-0007")
    closest = page.get_by_role("button", name="/cache-audit cw-redis-0007")
    expect(closest.first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Did you mean one of these?").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "07b-close-match.png"))

    # 7. A scope-key typo gets a one-click fix.
    send(page, "/cache-audit regoin=eu-west-1")
    suggestion = page.get_by_role("button", name="/cache-audit region=eu-west-1")
    expect(suggestion.first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "08-scope-typo.png"))
    suggestion.first.click()
    expect(page.get_by_text("(scope: region=eu-west-1)").first).to_be_visible(timeout=10_000)
    for name in ("01-audit-queued", "03-thread-findings", "06-usage-answer", "07-bad-scope"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_digest_on_demand_with_its_chart(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    """Issue 8: the demo posts today's digest on demand; its thread holds the trend chart."""
    import base64

    from playwright.sync_api import expect

    send(page, "/cache-audit digest now")
    expect(page.get_by_text("Building today's digest").first).to_be_visible(timeout=10_000)
    digest = page.get_by_test_id("message").filter(has_text="ElastiCache digest")
    expect(digest.first).to_be_visible(timeout=90_000)
    expect(digest.first.get_by_text("Posture score")).to_be_visible()
    expect(digest.first.get_by_text("Info 0")).to_have_count(0)
    assert "&lt;" not in digest.first.inner_text() and "&amp;" not in digest.first.inner_text()
    expect(digest.first.get_by_text("(in this thread) · Scope: everything").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "20-digest.png"))
    expect(digest.first.get_by_text("replies").first).to_be_visible(timeout=30_000)
    digest.first.get_by_text("replies").first.click()
    thread = page.get_by_test_id("thread-panel")
    chart_card = thread.get_by_test_id("file").filter(has_text="cachewarden-trend-")
    expect(chart_card.first).to_be_visible(timeout=30_000)
    scroll_to(chart_card.first)
    page.screenshot(path=str(SHOTS / "21-digest-thread.png"))
    chart = next(f for f in demo.emulator.files() if f["name"].startswith("cachewarden-trend-"))
    viewer = page.context.new_page()
    viewer.set_viewport_size({"width": 760, "height": 360})
    encoded = base64.b64encode(chart["content"]).decode()
    viewer.set_content(f'<img alt="trend" src="data:image/png;base64,{encoded}">')
    expect(viewer.get_by_alt_text("trend")).to_be_visible()
    assert viewer.evaluate("document.querySelector('img').naturalWidth") == 720
    viewer.screenshot(path=str(SHOTS / "22-digest-chart.png"))
    viewer.close()
    assert (SHOTS / "20-digest.png").stat().st_size > 10_000


def test_subscription_is_announced_in_the_channel(page) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 item 7: everyone in the channel sees a digest subscription change."""
    from playwright.sync_api import expect

    as_user(page, "U_ENGINEER")
    to_platform(page)
    send(page, "/cache-audit subscribe daily 09:00 tz=Europe/Berlin")
    channel = page.get_by_test_id("messages-pane").get_by_test_id("message")
    announced = channel.filter(has_text="subscribed this channel to a daily digest")
    expect(announced.first).to_be_visible(timeout=20_000)
    expect(announced.first.get_by_text("Only visible to you")).to_have_count(0)  # public
    expect(announced.first.get_by_text("@Erin Engineer").first).to_be_visible()  # not U_ENGINEER
    expect(channel.filter(has_text="Subscribed: a digest of").first).to_be_visible()
    scroll_to(announced.first)
    page.screenshot(path=str(SHOTS / "23-subscribed.png"))
    send(page, "/cache-audit unsubscribe")
    removed = channel.filter(has_text="removed this channel's daily digest")
    expect(removed.first).to_be_visible(timeout=20_000)
    scroll_to(removed.first)
    page.screenshot(path=str(SHOTS / "24-unsubscribed.png"))


def test_token_rotation_story(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    """Issue 7: an engineer asks for a rotation, Sam Security approves, the engineer
    finalizes once clients moved, Sam approves again; the token is never on screen.
    Issue 13 item 4: cw-redis-0008 was seeded with an old token (CW-204), so once the
    rotation is done, that line in the first audit's thread turns resolved."""
    from playwright.sync_api import expect

    as_user(page, "U_ENGINEER")
    to_platform(page)
    # A kind that has nothing to rotate says so, instead of "no replication group named ...".
    send(page, "/cache-rotate-token cw-memcached-0001")
    expect(page.get_by_text("offers no AUTH token").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("No replication group named")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "09-rotate-memcached.png"))
    send(page, "/cache-rotate-token cw-redis-0008")
    expect(page.get_by_text("Checking cw-redis-0008").first).to_be_visible(timeout=10_000)
    request = (
        page.get_by_test_id("message")
        .filter(has_text="step 1: ROTATE")
        .filter(has_text="cw-redis-0008")
    )
    expect(request.first.locator('[data-action-id="approval_approve"]')).to_be_visible(
        timeout=30_000
    )
    page.screenshot(path=str(SHOTS / "10-rotation-requested.png"))

    as_user(page, "U_SECURITY")
    approve(page, request.first)
    expect(request.first.get_by_text(REPLIES).first).to_be_visible(timeout=30_000)
    thread = open_thread(page, request.first)
    expect(thread.get_by_text("Both tokens work now").first).to_be_visible(timeout=60_000)
    expect(thread.locator('[data-action-id="rotation_finalize"]').first).to_be_visible()
    expect(thread.get_by_text("cachewarden/auth/cw-redis-0008").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "11-rotation-both-tokens.png"))

    as_user(page, "U_ENGINEER")
    thread = open_thread(page, request.first)
    thread.locator('[data-action-id="rotation_finalize"]').first.click()
    step_two = thread.get_by_test_id("message").filter(has_text="step 2: SET")
    expect(step_two.first.locator('[data-action-id="approval_approve"]')).to_be_visible(
        timeout=30_000
    )

    as_user(page, "U_SECURITY")
    thread = open_thread(page, request.first)
    approve(page, thread.get_by_test_id("message").filter(has_text="step 2: SET").first)
    expect(thread.get_by_text("Done. Only the new token works").first).to_be_visible(timeout=60_000)
    # Issue 13: once done, step 1's card no longer asks anyone to press Finalize.
    expect(thread.get_by_text("the rotation has since finished").first).to_be_visible(
        timeout=30_000
    )
    expect(thread.get_by_text("then press Finalize")).to_have_count(0)
    card = thread.get_by_test_id("message").filter(has_text="AUTH token rotation: ")
    scroll_to(card.last)
    page.screenshot(path=str(SHOTS / "12-rotation-done.png"))
    assert (SHOTS / "12-rotation-done.png").stat().st_size > 10_000
    # One card per rotation: progress edits it, so the thread holds the two step requests
    # and the rotation card, not a reply per step.
    expect(request.first.get_by_text("2 replies").first).to_be_visible()

    as_user(page, "U_ENGINEER")  # leave the page as the next story expects it
    audit = first_audit(page)
    thread = open_thread(page, audit)
    resolved = thread.get_by_test_id("block").filter(has_text="CW-204").filter(has_text="RESOLVED")
    expect(resolved).to_have_count(1, timeout=30_000)  # cw-redis-0008's; cw-redis-0001 still fails
    expect(thread.get_by_test_id("block").filter(has_text="cw-redis-0008").first).to_be_visible()
    expect(audit.get_by_text("fixed and verified since").first).to_be_visible(timeout=30_000)
    scroll_to(resolved.first)
    page.screenshot(path=str(SHOTS / "25-rotation-resolves-cw204.png"))


def test_fix_approval_story(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    """Issue 6: an engineer requests a fix (Multi-AZ on cw-valkey-0005) from the finding's
    thread, Sam Security approves it there, the fake AWS changes, and the fresh rescan in
    the thread says it passes."""
    from playwright.sync_api import expect

    as_user(page, "U_ENGINEER")
    page.get_by_test_id("channel-link").filter(has_text="platform").click()
    page.get_by_test_id("tab-messages").click()
    # A fresh audit of the group this story fixes, and of one whose fix is denied.
    send(page, "/cache-audit cw-valkey-0005 cw-redis-0004")
    summary = (
        page.get_by_test_id("messages-pane")
        .get_by_test_id("message")
        .filter(has_text="ElastiCache audit (done)")
        .filter(has_text="cw-valkey-0005")
        .last
    )
    expect(summary.get_by_text("replies").first).to_be_visible(timeout=120_000)
    thread = open_thread(page, summary)
    menu = page.locator('[data-action-id="finding_menu"]')
    finding = thread.get_by_test_id("block").filter(has_text="CW-404").filter(has=menu).first
    expect(finding).to_be_visible(timeout=10_000)
    finding.locator('[data-action-id="finding_menu"]').select_option(label="Request fix")
    request = thread.get_by_test_id("message").filter(has_text="Fix request: CW-404")
    expect(request.first.locator('[data-action-id="approval_approve"]')).to_be_visible(
        timeout=30_000
    )
    expect(request.first.get_by_text("MultiAZEnabled").first).to_be_visible()
    # Issue 13 item 5: people as names, the approvers asked, a link to the security copy.
    expect(request.first.get_by_text("Asked to decide:").first).to_be_visible()
    expect(request.first.get_by_text("@security-team").first).to_be_visible()
    expect(request.first.get_by_text("@Erin Engineer").first).to_be_visible()
    expect(request.first.get_by_text("the security-channel copy").first).to_be_visible(
        timeout=10_000
    )
    scroll_to(request.first)
    page.screenshot(path=str(SHOTS / "13-fix-requested.png"))

    # A second request, for the approver to deny with a reason from App Home.
    backups = thread.get_by_test_id("block").filter(has_text="CW-402").filter(has=menu).first
    backups.locator('[data-action-id="finding_menu"]').select_option(label="Request fix")
    second = thread.get_by_test_id("message").filter(has_text="Fix request: CW-402")
    expect(second.first.locator('[data-action-id="approval_deny"]')).to_be_visible(timeout=30_000)
    home_deny_with_reason(page, demo, "CW-402")
    thread = open_thread(page, summary)
    second = thread.get_by_test_id("message").filter(has_text="Fix request: CW-402")
    expect(second.first.get_by_text("Reason:").first).to_be_visible(timeout=30_000)
    expect(second.first.locator('[data-action-id="approval_deny"]')).to_have_count(0)
    scroll_to(second.first)
    page.screenshot(path=str(SHOTS / "18-denied-with-reason.png"))

    request = thread.get_by_test_id("message").filter(has_text="Fix request: CW-404")
    scroll_to(request.first)
    approve(page, request.first, shot="19-approve-confirm.png")
    verified = thread.get_by_test_id("message").filter(has_text="now passes")
    expect(verified.first).to_be_visible(timeout=60_000)
    expect(request.first.get_by_text("Done.").first).to_be_visible(timeout=10_000)
    scroll_to(verified.first)
    page.screenshot(path=str(SHOTS / "14-fix-verified.png"))
    assert (SHOTS / "14-fix-verified.png").stat().st_size > 10_000

    # Issue 13 item 4: the finding's line and the summary now say it is fixed.
    line = thread.get_by_test_id("block").filter(has_text="CW-404").filter(has_text="RESOLVED")
    expect(line.first).to_be_visible(timeout=30_000)
    expect(line.first.locator('[data-action-id="finding_menu"]')).to_have_count(0)
    expect(line.first.locator('[data-action-id="finding_explain"]')).to_have_count(1)
    expect(summary.get_by_text("fixed and verified since").first).to_be_visible(timeout=30_000)
    scroll_to(line)
    page.screenshot(path=str(SHOTS / "15-finding-resolved.png"))
    _accept_risk_story(page, summary)


def _accept_risk_story(page, summary) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 item 4: Erin asks to accept CW-504 on cw-valkey-0005 until a date, Sam
    approves; the line and the summary then name who accepted it (Sam) and until when."""
    from playwright.sync_api import expect

    as_user(page, "U_ENGINEER")
    thread = open_thread(page, summary)
    menu = page.locator('[data-action-id="finding_menu"]')
    finding = thread.get_by_test_id("block").filter(has_text="CW-504").filter(has=menu).first
    scroll_to(finding)
    finding.locator('[data-action-id="finding_menu"]').select_option(label="Accept risk")
    modal = page.get_by_test_id("modal")
    expect(modal.get_by_text("Why is this risk acceptable?").first).to_be_visible(timeout=10_000)
    modal.locator("textarea").first.fill(
        "Events reach us through CloudWatch alarms; SNS adds nothing for this cache."
    )
    until = modal.locator("input").first.input_value()
    page.screenshot(path=str(SHOTS / "26-accept-risk-form.png"))
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden(timeout=10_000)
    request = thread.get_by_test_id("message").filter(has_text="Accept-risk request")
    expect(request.first.locator('[data-action-id="approval_approve"]')).to_be_visible(
        timeout=30_000
    )

    as_user(page, "U_SECURITY")
    thread = open_thread(page, summary)
    request = thread.get_by_test_id("message").filter(has_text="Accept-risk request")
    request.first.locator('[data-action-id="approval_approve"]').first.click()  # no AWS change
    line = thread.get_by_test_id("block").filter(has_text="CW-504").filter(has_text="ACCEPTED")
    expect(line.first).to_be_visible(timeout=30_000)
    expect(line.first.get_by_text(f"until {until}").first).to_be_visible()
    expect(line.first.get_by_text("@Sam Security").first).to_be_visible()  # the approver
    listed = summary.get_by_text("Accepted risks").first
    expect(listed).to_be_visible(timeout=30_000)
    expect(summary.get_by_text(f"until {until}").first).to_be_visible()
    scroll_to(summary)
    page.screenshot(path=str(SHOTS / "27-risk-accepted.png"))
    scroll_to(line.first)
    page.screenshot(path=str(SHOTS / "28-risk-accepted-line.png"))
