"""The demo page in a real headless Chromium: the polled state turns into Slack-like DOM."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from slack_sdk import WebClient

from sandbox.slack_emulator import SlackEmulator
from tests.integration.emulator.bolt_app import APPROVAL_BLOCKS
from tests.integration.emulator.cdp import browser_page
from tests.integration.emulator.conftest import BoltSetup

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs chromium"),
]


def rendered_dom(url: str) -> str:
    """Chromium runs the page's JS (the first state poll included) and prints the final DOM."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--virtual-time-budget=1500",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_page_renders_messages_buttons_threads_and_ephemerals(
    client: WebClient, emulator: SlackEmulator
) -> None:
    parent = client.chat_postMessage(channel="C_SECURITY", text="Audit", blocks=APPROVAL_BLOCKS)[
        "ts"
    ]
    client.chat_postMessage(
        channel="C_SECURITY", text="<script>alert(1)</script>", thread_ts=parent
    )
    client.chat_postEphemeral(channel="C_SECURITY", user="U_SECURITY", text="just for *Sam*")
    dom = rendered_dom(f"{emulator.base_url}?channel=C_SECURITY&user=U_SECURITY&thread={parent}")
    assert (
        dom.count('data-testid="message"') == 4
    )  # parent + ephemeral, and parent + reply in the thread
    assert "<b>Audit</b> ready" in dom
    assert 'data-action-id="approve"' in dom and "btn-primary" in dom and "btn-danger" in dom
    assert "Only visible to you" in dom and "just for <b>Sam</b>" in dom
    assert ">1 reply<" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "<script>alert" not in dom
    assert re.search(r'<option value="U_SECURITY" selected=""[^>]*>Sam Security<', dom)


def test_clicking_through_the_page_drives_the_bot(
    bolt: BoltSetup, emulator: SlackEmulator, tmp_path: Path
) -> None:
    """Type a slash command, switch user, click Approve, open App Home: all from the page."""
    url = f"{emulator.base_url}?channel=C_PLATFORM&user=U_ENGINEER"
    with browser_page(str(CHROMIUM), url, tmp_path / "profile") as page:
        page.wait_for("document.querySelectorAll('[data-testid=user-option]').length > 0")
        page.evaluate(
            "document.getElementById('composer-input').value = '/cache-audit prod';"
            "document.getElementById('composer').requestSubmit()"
        )
        page.wait_for("!!document.querySelector('[data-action-id=approve]')")
        assert page.evaluate("document.body.innerText.includes('Only visible to you')")
        page.evaluate(
            "const who = document.getElementById('user-switcher');"
            "who.value = 'U_SECURITY'; who.dispatchEvent(new Event('change'))"
        )
        page.wait_for("!document.body.innerText.includes('Auditing prod')")
        page.evaluate("document.querySelector('[data-action-id=approve]').click()")
        page.wait_for("document.body.innerText.includes('Approved by @Sam Security')")
        assert emulator.messages("C_PLATFORM")[0]["text"] == "Approved by <@U_SECURITY>"
        page.evaluate("document.getElementById('tab-home').click()")
        page.wait_for(
            "document.getElementById('home-view').innerText.includes('Hello @Sam Security')"
        )
    assert [c.method for c in emulator.calls("views.publish")] == ["views.publish"]
