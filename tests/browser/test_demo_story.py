"""The demo's browser story in headless Chromium (Debian's package) driven by Playwright.

Each step saves a screenshot under artifacts/screenshots/ as a test artifact.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.demo import start_demo
from sandbox.redis_server import free_port
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.xdist_group("demo"),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make bootstrap installs it)"),
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


def _send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    box.press("Enter")


def test_story(page, demo: Stack) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    # 1. An engineer runs an audit; the ephemeral acknowledgement appears at once.
    _send(page, "/cache-audit")
    expect(page.get_by_text("queued for 2 accounts, 2 regions").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "01-audit-queued.png"))

    # 2. The summary finishes and its thread holds the findings with their buttons.
    summary = page.get_by_test_id("message").filter(has_text="ElastiCache audit (done)")
    expect(summary.first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(SHOTS / "02-audit-summary.png"))
    summary.first.get_by_text("replies").first.click()
    thread = page.get_by_test_id("thread-panel")
    expect(thread.locator('[data-action-id="finding_explain"]').first).to_be_visible(timeout=10_000)
    expect(thread.locator('[data-action-id="finding_request_fix"]').first).to_be_visible()
    expect(thread.get_by_text("CW-").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "03-thread-findings.png"))

    # 3. Explain on a finding answers only to the clicker.
    thread.locator('[data-action-id="finding_explain"]').first.click()
    expect(page.get_by_text("Why it matters").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "04-explain-finding.png"))

    # 4. /cache-explain EC-014 shows the control with both of its rules.
    _send(page, "/cache-explain EC-014")
    expect(page.get_by_text("CW-103").last).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SHOTS / "05-explain-ec014.png"))

    # 5. A bad command gets its usage answer, not an error.
    _send(page, "/cache-audit region=mars-1")
    expect(page.get_by_text("is not an AWS region name").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Usage: /cache-audit").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "06-usage-answer.png"))
    for name in ("01-audit-queued", "03-thread-findings", "06-usage-answer"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000
