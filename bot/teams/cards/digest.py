"""The daily digest as a card: score, failing counts with change, what changed, what is
overdue, pending approvals, and the 30-day chart inline when it is small enough.

Each list shows its first items and counts the rest; lists shrink (longest first) until the
card fits the Teams message budget. The full list is the report file.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

from bot.teams.cards.elements import (
    MAX_CARD_CHARS,
    Card,
    Element,
    card,
    card_size,
    escape,
    facts,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.words import SEVERITIES, kind_label, signed, when
from posture.digest import Digest, DigestFinding, ExpiringRisk, PendingApproval, Shown, TokenDue
from posture.wording import digest_label, open_for, token_state

T = TypeVar("T")
_SCOPE_SHOWN = 80
_LINE_SHOWN = 400
MAX_INLINE_CHART = 64_000  # bytes of PNG; a larger chart is named, not embedded


def finding_line(item: DigestFinding) -> str:
    where = f"{kind_label(item.resource_kind).lower()} {item.resource_id}"
    label = digest_label(item.severity, item.category)
    text = (
        f"• {label} {item.rule_id} {where} ({item.account} {item.region}):"
        f" {item.headline or item.title}"
    )
    if item.open_days is not None:
        text += open_for(item.open_days)
    return truncate(text, _LINE_SHOWN)


def token_line(token: TokenDue) -> str:
    where = f"{token.resource_id} ({token.account} {token.region})"
    state = token_state(token)
    return truncate(f"• {where}: {state}", _LINE_SHOWN)


def approval_line(item: PendingApproval) -> str:
    kind = item.kind.replace("_", " ")
    text = (
        f"• {kind} on {item.resource_id} asked by {item.requester},"
        f" expires {when(item.expires_at)}: {item.change}"
    )
    return truncate(text, _LINE_SHOWN)


def risk_line(item: ExpiringRisk) -> str:
    who = f" accepted by {item.accepted_by}" if item.accepted_by else ""
    text = f"• {item.rule_id} on {item.resource_id}{who}, ends {item.until}"
    return truncate(f"{text}: {item.reason}" if item.reason else text, _LINE_SHOWN)


class _List:
    """A titled list that can be drawn with any number of its items."""

    def __init__(self, title: str, shown: Shown[T], line: Callable[[T], str]) -> None:
        self.title, self.total = title, shown.total
        self.lines = [line(item) for item in shown.items]
        self.count = len(self.lines)

    def draw(self) -> Element:
        if not self.total:
            return text_block(f"**{escape(self.title)}:** none")
        text = f"**{escape(self.title)} ({self.total})**"
        for line in self.lines[: self.count]:
            text += "  \n" + escape(line)
        if self.total - self.count:
            text += f"  \n…and {self.total - self.count} more in the report"
        return text_block(text, limit=6000)


def score_text(digest: Digest) -> str:
    if digest.score is None:
        score = "**Posture score:** n/a (nothing was assessed)"
    else:
        score = f"**Posture score:** {digest.score}/100"
        if digest.score_change is not None:
            score += f" ({signed(digest.score_change)} since the last digest)"
    failing = f"**Failing:** {digest.failing.total}"
    if digest.previous_failing is not None:
        failing += f" ({signed(digest.failing.total - digest.previous_failing.total)})"
    if digest.compared_to is None:
        after = "First digest for this scope: the next one lists what is new and what was fixed."
    else:
        after = f"Compared with the scan of {when(digest.compared_to)}."
    return f"{score} · {failing}  \n{after}"


def _severity_facts(digest: Digest) -> Element:
    before = digest.previous_failing
    pairs = []
    for name in SEVERITIES:
        count = getattr(digest.failing, name)
        change = f" ({signed(count - getattr(before, name))})" if before is not None else ""
        pairs.append((name.capitalize(), f"{count}{change}"))
    return facts(pairs)


def _schedule(digest: Digest) -> list[Element]:
    note = digest.schedule
    if note is None or (not note.late_minutes and not note.missed_days):
        return []
    parts = []
    if note.late_minutes:
        hours, minutes = divmod(note.late_minutes, 60)
        late = f"{hours} h {minutes} min" if hours else f"{minutes} min"
        parts.append(
            f"This digest is late: it was due at {note.scheduled_for} and ran {late} after that"
            " (the scheduler or the workers were not running)."
        )
    if note.missed_days:
        days = ", ".join(day.isoformat() for day in note.missed_days)
        parts.append(f"Missed digests: none was posted for {days}.")
    return [text_block(escape("  \n".join(parts)), color="Warning")]


def _lists(digest: Digest) -> list[_List]:
    lists = []
    if digest.compared_to is not None:
        lists += [
            _List("New since the last digest", digest.new, finding_line),
            _List("Reopened", digest.reopened, finding_line),
            _List("Resolved", digest.resolved, finding_line),
        ]
    lists += [
        _List("Oldest open high and critical", digest.oldest_open, finding_line),
        _List("AUTH tokens due for rotation", digest.tokens_due, token_line),
    ]
    if digest.approvals_available:
        lists += [
            _List("Pending approvals", digest.pending_approvals, approval_line),
            _List("Accepted risks ending this week", digest.expiring_risks, risk_line),
        ]
    return lists


def _chart(digest: Digest, chart_png: bytes | None) -> list[Element]:
    if not chart_png or len(chart_png) > MAX_INLINE_CHART:
        return []
    url = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    return [{"type": "Image", "url": url, "altText": "Failing findings over 30 days"}]


def _files(digest: Digest, chart_shown: bool) -> Element:
    bits = [f"Scope: {truncate(digest.scope, 200)}"]
    if digest.report_filename:
        bits.append(f"Full report: {digest.report_filename}")
    if digest.chart_filename and not chart_shown:
        bits.append(f"30-day chart: {digest.chart_filename}")
    return text_block(escape(" · ".join(bits)), subtle=True, size="Small")


def digest_title(digest: Digest) -> str:
    scheduled = digest.schedule is not None and digest.schedule.trigger == "schedule"
    kind = "Daily ElastiCache digest" if scheduled else "ElastiCache digest"
    return f"{kind} · {truncate(digest.scope, _SCOPE_SHOWN)} · {digest.day}"


def render_digest_card(digest: Digest, chart_png: bytes | None = None) -> Card:
    head: list[Element] = [
        heading(digest_title(digest)),
        text_block(score_text(digest)),
        _severity_facts(digest),
        *_schedule(digest),
    ]
    if digest.unassessed:
        shown = truncate(", ".join(digest.unassessed), 1500)
        head.append(text_block(f"**Not assessed this time:** {escape(shown)}"))
    if not digest.approvals_available:
        head.append(
            text_block("**Pending approvals and accepted risks:** not available in this run.")
        )
    chart = _chart(digest, chart_png)
    lists = _lists(digest)
    score = digest.score if digest.score is not None else "n/a"
    summary = f"{digest_title(digest)}: score {score}, {digest.failing.total} failing"

    def build(with_chart: bool) -> Card:
        shown = chart if with_chart else []
        body = [*head, *(part.draw() for part in lists), *shown, _files(digest, bool(chart))]
        return card(body, summary=summary)

    # Teams does not count base64 images in the 40 KB message limit: fit the text without it.
    while card_size(build(False)) > MAX_CARD_CHARS and any(part.count for part in lists):
        max(lists, key=lambda part: part.count).count -= 1
    return build(True)
