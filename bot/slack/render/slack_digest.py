"""The daily digest in Block Kit: score, counts, what changed, what is overdue, and the files.

One message of at most a dozen blocks. Each list shows its first items and counts the
rest; `fit` shortens the longest list first so the message stays within its size
budget for any number of findings. The full list is the attached report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from bot.slack.render.mrkdwn import code, escape, is_safe_url, link, truncate, user_mention
from bot.slack.render.slack_elements import (
    Block,
    context,
    divider,
    fallback,
    fields_section,
    header,
    section,
)
from bot.slack.render.slack_findings import kind_label
from bot.slack.render.slack_fit import Part, fit
from posture.digest import (
    Digest,
    DigestFinding,
    ExpiringRisk,
    PendingApproval,
    Shown,
    TokenDue,
)
from posture.messages import SeverityCounts
from posture.wording import digest_label, open_for, token_state

T = TypeVar("T")
_SCOPE_SHOWN = 80
_LINE_SHOWN = 400
_SEVERITY_NAMES = ("critical", "high", "medium", "low", "info")


def signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change) if change < 0 else "±0"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def score_text(digest: Digest) -> str:
    if digest.score is None:
        score = "*Posture score:* n/a (nothing was assessed)"
    else:
        score = f"*Posture score:* {digest.score}/100"
        if digest.score_change is not None:
            score += f" ({signed(digest.score_change)} since the last digest)"
    failing = f"*Failing:* {digest.failing.total}"
    if digest.previous_failing is not None:
        failing += f" ({signed(digest.failing.total - digest.previous_failing.total)})"
    lines = [f"{score} · {failing}"]
    if digest.compared_to is None:
        lines.append(
            "First digest for this scope: the next one lists what is new and what was fixed."
        )
    else:
        lines.append(f"Compared with the scan of {_when(digest.compared_to)}.")
    return "\n".join(lines)


def severity_fields(now: SeverityCounts, before: SeverityCounts | None) -> list[str]:
    """Severities with failures now or before (a drop to 0 is news); "none" when all are 0."""
    fields = []
    for name in _SEVERITY_NAMES:
        count = getattr(now, name)
        previous = getattr(before, name) if before is not None else 0
        if not count and not previous:
            continue
        change = f" ({signed(count - previous)})" if before is not None else ""
        fields.append(f"*{name.capitalize()}*\n{count}{change}")
    return fields or ["*Failing*\nnone"]


def _days(days: Sequence[date]) -> str:
    return ", ".join(day.isoformat() for day in days)


def schedule_text(digest: Digest) -> str | None:
    note = digest.schedule
    if note is None or (not note.late_minutes and not note.missed_days):
        return None
    parts = []
    if note.late_minutes:
        hours, minutes = divmod(note.late_minutes, 60)
        late = f"{hours} h {minutes} min" if hours else f"{minutes} min"
        parts.append(
            f"*This digest is late:* it was due at {escape(note.scheduled_for)} and ran {late} "
            "after that (the scheduler or the workers were not running)."
        )
    if note.missed_days:
        parts.append(f"*Missed digests:* none was posted for {_days(note.missed_days)}.")
    return "\n".join(parts)


def finding_line(item: DigestFinding) -> str:
    where = f"{kind_label(item.resource_kind).lower()} {code(item.resource_id, 80)}"
    place = f"{code(item.account, 20)} {escape(item.region)}".strip()
    label = digest_label(item.severity, item.category)
    text = f"• *{label}* {code(item.rule_id, 20)} {where} ({place}): {escape(item.headline or item.title)}"
    if item.open_days is not None:
        text += open_for(item.open_days)
    return truncate(text, _LINE_SHOWN)


def token_line(token: TokenDue) -> str:
    where = f"{code(token.resource_id, 80)} ({code(token.account, 20)} {escape(token.region)})"
    state = token_state(token)
    return truncate(f"• {where}: {state}", _LINE_SHOWN)


def approval_line(item: PendingApproval) -> str:
    kind = escape(item.kind.replace("_", " "))
    text = (
        f"• {kind} on {code(item.resource_id, 80)} asked by {user_mention(item.requester)},"
        f" expires {_when(item.expires_at)}: {escape(item.change)}"
    )
    return truncate(text, _LINE_SHOWN)


def risk_line(item: ExpiringRisk) -> str:
    who = f" accepted by {user_mention(item.accepted_by)}" if item.accepted_by else ""
    text = f"• {code(item.rule_id, 20)} on {code(item.resource_id, 80)}{who}, ends {item.until}"
    if item.reason:
        text += f": {escape(item.reason)}"
    return truncate(text, _LINE_SHOWN)


def list_part(title: str, shown: Shown[T], line: Callable[[T], str], empty: str) -> Part:
    """A section that lists as many items as `limit` allows and counts the rest."""
    lines = [line(item) for item in shown.items]

    def draw(limit: int) -> str:
        head = f"*{title} ({shown.total})*" if shown.total else f"*{title}:* {empty}"
        text, used = head, 0
        for candidate in lines:
            rest = shown.total - used - 1
            tail = f"\n…and {rest} more in the report" if rest else ""
            if len(text) + 1 + len(candidate) + len(tail) > limit:
                break
            text += "\n" + candidate
            used += 1
        if shown.total - used:
            text += f"\n…and {shown.total - used} more in the report"
        return truncate(text, limit)

    return Part(draw)


def _changes(digest: Digest) -> list[Block | Part]:
    if digest.compared_to is None:
        return []
    return [
        list_part("New since the last digest", digest.new, finding_line, "none"),
        list_part("Reopened", digest.reopened, finding_line, "none"),
        list_part("Resolved", digest.resolved, finding_line, "none"),
    ]


def _files_context(digest: Digest, links: Mapping[str, str]) -> Block:
    """Link the attached files when their permalinks are https; else name them."""
    safe = {name: url for name, url in links.items() if is_safe_url(url)}

    def named(filename: str, words: str) -> str:
        url = safe.get(filename)
        return f"{words}: {link(url, filename) if url else code(filename, 120)}"

    bits = []
    if digest.report_filename:
        bits.append(named(digest.report_filename, "Full report"))
    if digest.chart_filename:
        bits.append(named(digest.chart_filename, "30-day chart"))
    if bits and not safe:
        bits[-1] += " (in this thread)"
    # One element: Slack draws a context's elements side by side with no separator.
    bits.append(f"Scope: {escape(truncate(digest.scope, 200))}")
    return context(" · ".join(bits))


def _approval_parts(digest: Digest) -> list[Block | Part]:
    if not digest.approvals_available:
        return [section("*Pending approvals and accepted risks:* not available in this run.")]
    return [
        list_part("Pending approvals", digest.pending_approvals, approval_line, "none"),
        list_part("Accepted risks ending this week", digest.expiring_risks, risk_line, "none"),
    ]


def render_digest(
    digest: Digest, *, links: Mapping[str, str] | None = None, max_chars: int = 12000
) -> tuple[str, list[Block]]:
    """Fallback text and blocks; `links` maps attached filenames to their permalinks."""
    scope = truncate(digest.scope, _SCOPE_SHOWN)
    kind = (
        "Daily ElastiCache digest"
        if digest.schedule and digest.schedule.trigger == "schedule"
        else "ElastiCache digest"
    )
    items: list[Block | Part] = [
        header(f"{kind} · {scope} · {digest.day}"),
        section(score_text(digest)),
        fields_section(severity_fields(digest.failing, digest.previous_failing)),
    ]
    note = schedule_text(digest)
    if note:
        items.append(section(note))
    if digest.unassessed:
        shown = escape(", ".join(digest.unassessed))
        items.append(section(truncate(f"*Not assessed this time:* {shown}", 1500)))
    items.append(divider())
    items += _changes(digest)
    items.append(
        list_part("Oldest open high and critical", digest.oldest_open, finding_line, "none")
    )
    items.append(list_part("AUTH tokens due for rotation", digest.tokens_due, token_line, "none"))
    items += _approval_parts(digest)
    items.append(_files_context(digest, links or {}))
    text = f"{kind} for {scope} ({digest.day}): score {digest.score if digest.score is not None else 'n/a'}, {digest.failing.total} failing"
    return fallback(escape(text)), fit(items, max_chars)
