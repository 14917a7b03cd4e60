"""The demo's Teams view in headless Chromium: switch from the Slack page, run an audit by
mention, request a fix from a finding card, approve it as another person, and use the
personal chat. Screenshots go to artifacts/screenshots/teams-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.demo import start_demo
from sandbox.redis_server import free_port
from sandbox.stack import Stack
from sandbox.teams_connector.view import PEOPLE
from tests.browser.test_demo_story import CHROMIUM, CHROMIUM_FLAGS, SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.xdist_group("demo"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium (make bootstrap installs it)"
    ),
]
ENGINEER, SECURITY = PEOPLE[0], PEOPLE[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_demo(free_port(), tmp_path_factory.mktemp("demo-logs"), teams=True)
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


def _send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("teams-input")
    box.fill(text)
    box.press("Enter")


def test_teams_story(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    # 0. The Slack page offers the switch; the Teams view opens on the channel, as Erin.
    switch = page.get_by_test_id("teams-link")
    expect(switch).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "teams-00-slack-page-switch.png"))
    switch.click()
    expect(page.get_by_test_id("teams-title")).to_have_text("Platform › cachewarden-ops")
    expect(page.get_by_test_id("teams-status")).to_contain_text("connected")
    expect(page.get_by_test_id("slack-link")).to_be_visible()
    page.screenshot(path=str(SHOTS / "teams-01-empty-channel.png"))

    # 1. "audit" as a new post: the bot answers in its chain, then posts the summary card
    #    with the findings as replies under it.
    _send(page, "audit")
    posts = page.get_by_test_id("teams-post")
    expect(posts.filter(has_text="@cachewarden").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("queued").first).to_be_visible(timeout=15_000)
    summary = posts.filter(has_text="ElastiCache audit (done)")
    expect(summary.first).to_be_visible(timeout=90_000)
    expect(summary.first.get_by_text(f"Requested by {ENGINEER.name}").first).to_be_visible()
    more = summary.first.get_by_test_id("teams-more-replies")  # a long chain shows its latest
    expect(more).to_be_visible(timeout=30_000)
    summary.first.get_by_test_id("teams-message").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-02-audit-summary.png"))
    more.click()
    fix = summary.first.locator("button[data-verb='finding.request_fix']")
    expect(fix.first).to_be_visible(timeout=30_000)
    fix.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-03-findings-chain.png"))

    # 2. Request fix: the plan and the approval request arrive in the same chain.
    fix.first.click()
    expect(page.get_by_test_id("teams-toast")).to_be_visible(timeout=10_000)
    approve = summary.first.locator("button[data-showcard]", has_text="Approve…")
    expect(approve.first).to_be_visible(timeout=60_000)
    approve.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-04-approval-request.png"))

    # 3. Approve changes AWS, so it opens a second look first (Teams has no confirm dialog).
    #    The requester cannot approve; Sam Security can, and the card changes for everyone.
    _approve(page, summary.first, shot="teams-04b-approve-second-look.png")
    expect(page.get_by_test_id("teams-toast")).to_contain_text("someone else", timeout=10_000)
    page.get_by_test_id("teams-user").select_option(label=SECURITY.name)
    _approve(page, summary.first)
    expect(summary.first.get_by_text(f"by {SECURITY.name}").first).to_be_visible(timeout=30_000)
    result = summary.first.get_by_test_id("teams-reply").last
    expect(result).to_contain_text("Verified:", timeout=90_000)
    expect(summary.first.get_by_text("fix verified by").first).to_be_visible(timeout=30_000)
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-05-approved-verified.png"))
    summary.first.get_by_text("fix verified by").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-06-finding-redrawn.png"))

    # 3b. Two more requests from Erin: Sam denies one with a reason everyone reads, and the
    #     other waits in the personal-chat list.
    page.get_by_test_id("teams-user").select_option(label=ENGINEER.name)
    _ask_fixes(page, summary.first, wanted=2)
    page.get_by_test_id("teams-user").select_option(label=SECURITY.name)
    request = (
        summary.first.get_by_test_id("teams-reply")
        .filter(has=page.locator("button[data-showcard]", has_text="Deny…"))
        .first
    )
    request.locator("button[data-showcard]", has_text="Deny…").click()
    reason = request.locator("textarea[data-input-id^='deny_reason_']")
    expect(reason).to_be_visible()
    reason.fill("Not during the sale; retry Monday.")
    request.locator("button[data-verb='approval.deny']").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-06b-deny-reason-form.png"))
    request.locator("button[data-verb='approval.deny']").click()
    denied = summary.first.get_by_test_id("teams-reply").filter(has_text="Reason:")
    expect(denied.first).to_contain_text("Not during the sale; retry Monday.", timeout=15_000)
    expect(denied.first.locator("button")).to_have_count(0)
    denied.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-06c-denied-with-reason.png"))

    # 4. A personal chat with the bot: help answers there, with the Teams words.
    page.get_by_test_id("teams-conversation").filter(has_text="Chat with").click()
    expect(page.get_by_test_id("teams-title")).to_contain_text("Chat with cachewarden")
    _send(page, "help")
    expect(page.get_by_text("explain <id>").first).to_be_visible(timeout=15_000)
    page.screenshot(path=str(SHOTS / "teams-07-personal-chat-help.png"))

    # 5. pending in the personal chat: Sam sees Erin's open request with Approve/Deny.
    page.get_by_test_id("teams-user").select_option(label=SECURITY.name)
    page.get_by_test_id("teams-conversation").filter(has_text="Chat with").click()
    _send(page, "pending")
    listed = page.get_by_test_id("teams-post").filter(has_text="Pending approvals").last
    expect(listed.locator("button[data-showcard]", has_text="Approve…").first).to_be_visible(
        timeout=15_000
    )
    listed.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-08-pending-approver.png"))

    # 6. Erin's own list shows the request without buttons (another approver decides).
    page.get_by_test_id("teams-user").select_option(label=ENGINEER.name)
    page.get_by_test_id("teams-conversation").filter(has_text="Chat with").click()
    _send(page, "pending")
    own = page.get_by_test_id("teams-post").filter(has_text="Your requests").last
    expect(own).to_be_visible(timeout=15_000)
    expect(own.locator("button[data-showcard]")).to_have_count(0)
    own.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "teams-09-pending-requester.png"))


def _approve(page, chain, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the "Approve…" second look on the newest open request, then Approve and run."""
    from playwright.sync_api import expect

    request = (
        chain.get_by_test_id("teams-reply")
        .filter(has=page.locator("button[data-showcard]", has_text="Approve…"))
        .first
    )
    toggle = request.locator("button[data-showcard]", has_text="Approve…")
    expect(toggle).to_have_attribute("aria-expanded", "false")  # closed for whoever looks now
    toggle.click()
    run = request.locator("button[data-verb='approval.approve']")
    expect(run).to_be_visible()
    expect(request.get_by_text("Approve and change AWS?")).to_be_visible()
    if shot:
        run.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / shot))
    run.click()


def _ask_fixes(page, chain, wanted: int) -> None:  # type: ignore[no-untyped-def]
    """Request fixes finding by finding until `wanted` new approval requests are open (some
    findings answer with a runbook or a blocked plan instead of a request)."""
    import time

    deny_forms = chain.locator("button[data-showcard]", has_text="Deny…")
    goal = deny_forms.count() + wanted
    fixes = chain.locator("button[data-verb='finding.request_fix']")
    for index in range(fixes.count()):
        fixes.nth(index).click()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and deny_forms.count() < goal:
            page.wait_for_timeout(250)
        if deny_forms.count() >= goal:
            return
    raise AssertionError(f"fewer than {wanted} new approval requests after every Request fix")
