"""The App Home tab in Block Kit: approvals waiting, your requests, scans and subscriptions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_approval import decision_buttons
from bot.slack.render.slack_digest import approval_line, list_part
from bot.slack.render.slack_elements import (
    MAX_SECTION_TEXT,
    Block,
    context,
    divider,
    header,
    section,
)
from bot.slack.render.slack_fit import Part, fit
from posture.digest import PendingApproval, Shown
from posture.home import HomePage, ScanLine, SubscriptionLine
from posture.messages import SeverityCounts

MAX_HOME_BLOCKS = 100
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9_]{1,30}$")
_LINE_SHOWN = 300


def channel_mention(channel_id: str) -> str:
    """A channel link only for a well-formed channel id; anything else stays text."""
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id) else escape(channel_id)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _worst(counts: SeverityCounts) -> str:
    """ " (1 critical, 2 high)": only severities that have failures, never "0 critical"."""
    shown = [
        f"{n} {name}" for n, name in ((counts.critical, "critical"), (counts.high, "high")) if n
    ]
    return f" ({', '.join(shown)})" if shown else ""


def scan_line(scan: ScanLine) -> str:
    counts = scan.failing
    score = f"score {scan.score}" if scan.score is not None else "score n/a"
    where = f" in {channel_mention(scan.channel)}" if scan.channel else ""
    text = (
        f"• {_when(scan.at)} · {escape(scan.source)} of {escape(truncate(scan.scope, 80))}{where}:"
        f" {counts.total} failing{_worst(counts)} · {score}"
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


def pending_line(item: PendingApproval) -> str:
    """One request an approver can decide here: what, where, who asked, until when."""
    rule = f" {code(item.rule_id, 20)}" if item.rule_id else ""
    kind = escape(item.kind.replace("_", " ").capitalize())
    where = f" · account {code(item.account, 20)} · {escape(item.region)}" if item.account else ""
    text = (
        f"*{kind}*{rule} on {code(item.resource_id, 80)}{where}\n"
        f"{escape(truncate(item.change, 400))}\n"
        f"Asked by {user_mention(item.requester)} · expires {_when(item.expires_at)}"
    )
    return truncate(text, MAX_SECTION_TEXT)


def waiting_for_you(shown: Shown[PendingApproval]) -> list[Block | Part]:
    """Each pending request with the same Approve / Deny the request's message carries."""
    if not shown.total:
        return [section("*Waiting for your approval:* nothing")]
    items: list[Block | Part] = [section(f"*Waiting for your approval ({shown.total})*")]
    for item in shown.items:
        items += [section(pending_line(item)), decision_buttons(item)]
    if shown.more:
        items.append(context(f"…and {shown.more} more; those expiring soonest are shown first."))
    return items


def _sections(page: HomePage) -> list[Block | Part]:
    items: list[Block | Part] = []
    if page.is_approver:
        items += waiting_for_you(page.pending_approvals)
    items += [
        list_part("Your open requests", page.my_requests, approval_line, "none"),
        list_part("Your recent audits", page.my_scans, scan_line, "none yet"),
        list_part("Latest scans", page.recent_scans, scan_line, "none yet"),
        list_part("Digest subscriptions", page.subscriptions, subscription_line, "none"),
    ]
    return items


def render_home(page: HomePage, *, max_chars: int = 24000) -> dict[str, Any]:
    """A `home` view for views.publish."""
    notice = [section(f":information_source: {escape(page.notice)}")] if page.notice else []
    items: list[Block | Part] = [
        header("cachewarden"),
        *notice,
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
