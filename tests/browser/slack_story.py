"""What the Slack browser story shares: Chromium, the screenshot folder, and page helpers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sandbox.stack import Stack

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLIES = re.compile(r"\d+ repl(y|ies)")  # a rotation now keeps one card: "1 reply"


def send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    box.press("Enter")


def as_user(page, user_id: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_test_id("user-switcher").select_option(user_id)


def to_platform(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_test_id("channel-link").filter(has_text="platform").click()
    page.get_by_test_id("tab-messages").click()


def open_thread(page, parent):  # type: ignore[no-untyped-def]
    """Click the parent's reply count until its thread shows (a poll may redraw mid-click)."""
    from playwright.sync_api import expect

    panel = page.get_by_test_id("thread-panel")
    for attempt in range(3):
        parent.get_by_text(REPLIES).first.click()
        ts = parent.get_attribute("data-ts")
        opened = panel.locator(f'[data-ts="{ts}"]') if ts else panel
        try:
            expect(opened.first).to_be_visible(timeout=5_000)
            return panel
        except AssertionError:
            if attempt == 2:
                raise
    return panel


def approve(page, message, shot: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Approve changes AWS, so Slack asks first: click, (screenshot the dialog), confirm."""
    from playwright.sync_api import expect

    message.locator('[data-action-id="approval_approve"]').first.click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog.get_by_text("Approve and change AWS?")).to_be_visible()
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    page.get_by_test_id("confirm-yes").click()
    expect(dialog).to_be_hidden(timeout=10_000)


def pending_id(demo: Stack, rule: str, resource: str) -> str:
    from workers.approvals.store import ApprovalStore
    from workers.platform.redis_connection import connect

    for request in ApprovalStore(connect(demo.redis.url)).pending():
        if request.rule_id == rule and request.resource_id == resource:
            return request.request_id
    raise AssertionError(f"no pending request for {rule} on {resource}")


def first_audit(page):  # type: ignore[no-untyped-def]
    """The story's first audit, of everything: the one whose lines later stories redraw."""
    return (
        page.get_by_test_id("messages-pane")
        .get_by_test_id("message")
        .filter(has_text="ElastiCache audit (done): everything")
        .first
    )


def scroll_to(locator) -> None:  # type: ignore[no-untyped-def]
    """Scroll an element into view; the page redraws on every poll, so retry a detached one."""
    from playwright.sync_api import Error

    for attempt in range(5):
        try:
            locator.scroll_into_view_if_needed(timeout=5_000)
            return
        except Error:
            if attempt == 4:
                raise


def home_deny_with_reason(page, demo: Stack, rule: str) -> None:  # type: ignore[no-untyped-def]
    """Sam Security opens App Home, sees both requests with buttons, denies one with a reason."""
    from playwright.sync_api import expect

    as_user(page, "U_SECURITY")
    page.get_by_test_id("tab-home").click()
    home = page.get_by_test_id("home-view")
    expect(home.get_by_text("Waiting for your approval (2)").first).to_be_visible(timeout=20_000)
    expect(home.locator('[data-action-id="approval_approve"]')).to_have_count(2)
    page.screenshot(path=str(SHOTS / "16-home-approvals.png"))
    request_id = pending_id(demo, rule, "cw-redis-0004")
    home.locator(f'[data-action-id="approval_deny"][data-value="{request_id}"]').click()
    modal = page.get_by_test_id("modal")
    expect(modal.get_by_text("Why deny it?").first).to_be_visible(timeout=10_000)
    modal.locator("textarea, input").first.fill(
        "Backups change in the Monday window; ask again then."
    )
    page.screenshot(path=str(SHOTS / "17-deny-reason.png"))
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden(timeout=10_000)
    expect(home.get_by_text("Denied.").first).to_be_visible(timeout=20_000)
    expect(home.get_by_text("Waiting for your approval (1)").first).to_be_visible()
    page.get_by_test_id("tab-messages").click()
