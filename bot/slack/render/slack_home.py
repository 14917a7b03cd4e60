"""The App Home tab in Block Kit: approvals waiting, your requests, scans and subscriptions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_digest import approval_line, list_part
from bot.slack.render.slack_elements import Block, context, divider, header, section
from bot.slack.render.slack_fit import Part, fit
from posture.home import HomePage, ScanLine, SubscriptionLine

MAX_HOME_BLOCKS = 100
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9_]{1,30}$")
_LINE_SHOWN = 300


def channel_mention(channel_id: str) -> str:
    """A channel link only for a well-formed channel id; anything else stays text."""
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id) else escape(channel_id)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def scan_line(scan: ScanLine) -> str:
    counts = scan.failing
    score = f"score {scan.score}" if scan.score is not None else "score n/a"
    where = f" in {channel_mention(scan.channel)}" if scan.channel else ""
    text = (
        f"• {_when(scan.at)} · {escape(scan.source)} of {escape(truncate(scan.scope, 80))}{where}:"
        f" {counts.total} failing ({counts.critical} critical, {counts.high} high) · {score}"
    )
    return truncate(text, _LINE_SHOWN)


def subscription_line(line: SubscriptionLine) -> str:
    last = line.last_day.isoformat() if line.last_day else "none yet"
    text = (
        f"• {channel_mention(line.channel)} {escape(line.schedule)} · {escape(truncate(line.scope, 80))}"
        f" · next {_when(line.next_run)} · last digest {last}"
    )
    return truncate(text, _LINE_SHOWN)


def scheduler_text(page: HomePage) -> str:
    if page.scheduler_seen is None:
        return "Scheduler: not running (no `cachewarden cron` heartbeat); scheduled digests wait for it."
    age = max(int((page.generated_at - page.scheduler_seen).total_seconds()), 0)
    return f"Scheduler: last heartbeat {age} s ago."


def _sections(page: HomePage) -> list[Block | Part]:
    items: list[Block | Part] = []
    if page.is_approver:
        items.append(
            list_part("Waiting for your approval", page.pending_approvals, approval_line, "nothing")
        )
    items += [
        list_part("Your open requests", page.my_requests, approval_line, "none"),
        list_part("Your recent audits", page.my_scans, scan_line, "none yet"),
        list_part("Latest scans", page.recent_scans, scan_line, "none yet"),
        list_part("Digest subscriptions", page.subscriptions, subscription_line, "none"),
    ]
    return items


def render_home(page: HomePage, *, max_chars: int = 24000) -> dict[str, Any]:
    """A `home` view for views.publish."""
    items: list[Block | Part] = [
        header("cachewarden"),
        section(
            f"Hello {user_mention(page.user)}. Subscribe a channel with "
            f"{code('/cache-audit subscribe daily 09:00 tz=Europe/Berlin')}."
        ),
        divider(),
        *_sections(page),
        divider(),
        context(scheduler_text(page), f"Updated {_when(page.generated_at)}"),
    ]
    blocks = fit(items, max_chars)[:MAX_HOME_BLOCKS]
    return {"type": "home", "blocks": blocks}
