"""Subscribe in the emulator, let `cachewarden cron` fire, see the digest; App Home; digest now.

Real processes: redis-server, fake AWS, the emulator, the bot in HTTP mode, an RQ worker
and the cron process (ticking every second instead of every minute).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.fake_aws import reset
from sandbox.stack import Stack, StackOptions
from tests.integration.bot.conftest import wait_for
from tests.integration.digest.conftest import seed

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("digest-stack")]
CHANNEL = "C_PLATFORM"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    options = StackOptions(regions=("us-east-1",), cron=True, cron_tick_seconds=1)
    with Stack(options) as running:
        seed(running.aws.url)
        yield running
        reset(running.aws.url)  # the fake's state is per process: leave none for the next module


def _digests(stack: Stack, daily: bool | None = None) -> list[dict[str, Any]]:
    found = [m for m in stack.emulator.messages(CHANNEL) if "ElastiCache digest" in json.dumps(m)]
    if daily is None:
        return found
    return [m for m in found if ("Daily ElastiCache digest" in json.dumps(m)) is daily]


def _this_minute_in_berlin() -> str:
    """The current minute in Berlin, waiting out the last seconds of a minute first."""
    if datetime.now(UTC).second >= 50:
        time.sleep(61 - datetime.now(UTC).second)
    return datetime.now(ZoneInfo("Europe/Berlin")).strftime("%H:%M")


def _ack(stack: Stack, text: str, user: str = "U_ENGINEER") -> str:
    response = stack.signed_client().command("/cache-audit", text, user_id=user, channel_id=CHANNEL)
    assert response.status == 200
    return str(response.json()["text"])


def _scheduled_digest_appears(stack: Stack) -> None:
    ack = _ack(stack, f"subscribe daily {_this_minute_in_berlin()} tz=Europe/Berlin")
    assert ack.startswith("Subscribed") and "Europe/Berlin" in ack
    [digest] = wait_for(
        lambda: _digests(stack, daily=True), timeout=90, what="the scheduled digest"
    )
    text = json.dumps(digest["blocks"])
    assert "Posture score" in text and "orders-prod" in text
    names = wait_for(
        lambda: (
            {f["name"][-3:] for f in stack.emulator.files()} >= {"png", "csv"}
            and [f["name"] for f in stack.emulator.files()]
        ),
        what="the chart and report files",
    )
    assert any(n.startswith("cachewarden-trend-") for n in names)
    # The emulator's file URLs are http, so the digest names its files instead of linking them.
    final = json.dumps(_digests(stack, daily=True)[0]["blocks"])
    assert "Full report: `cachewarden-digest-" in final and "(in this thread)" in final


def _restart_does_not_post_again(stack: Stack) -> None:
    births = stack.logs().count("registering birth")
    stack.stop_cron()
    stack.start_cron()
    wait_for(lambda: stack.logs().count("registering birth") > births, what="the new scheduler")
    time.sleep(4)  # several ticks of the new scheduler
    assert len(_digests(stack, daily=True)) == 1


def _subscriptions_and_home_tab(stack: Stack) -> None:
    assert "This channel gets a digest of everything daily" in _ack(stack, "subscriptions")
    response = stack.signed_client().event(
        {"type": "app_home_opened", "user": "U_SECURITY", "tab": "home"}
    )
    assert response.status == 200
    view = wait_for(lambda: stack.emulator.home_views().get("U_SECURITY"), what="the home tab")
    text = json.dumps(view)
    assert "Digest subscriptions (1)" in text and "daily" in text
    assert "Latest scans" in text and "digest of everything" in text
    assert "Waiting for your approval" in text  # U_SECURITY is in the approver group
    assert "Scheduler: last heartbeat" in text


def _digest_now_then_unsubscribe(stack: Stack) -> None:
    before = len(_digests(stack))
    assert "Building today's digest" in stack.trigger_digest(CHANNEL)
    wait_for(lambda: len(_digests(stack)) > before, timeout=90, what="the on-demand digest")
    manual = _digests(stack, daily=False)[-1]
    assert "Compared with the scan of" in json.dumps(manual["blocks"])
    assert _ack(stack, "unsubscribe").startswith("Unsubscribed")
    assert "no digest subscription" in _ack(stack, "subscriptions")


def test_subscribe_schedule_restart_home_and_digest_now(stack: Stack) -> None:
    """One story, in order: each step builds on the state the previous one left."""
    _scheduled_digest_appears(stack)
    _restart_does_not_post_again(stack)
    _subscriptions_and_home_tab(stack)
    _digest_now_then_unsubscribe(stack)
