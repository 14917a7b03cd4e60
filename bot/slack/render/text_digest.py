"""The digest for a terminal: the same sections as the chat message, in plain text."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.slack.render.slack_findings import kind_label
from posture.catalog.model import RuleCategory
from posture.digest import Digest, DigestFinding, ExpiringRisk, PendingApproval, Shown, TokenDue

T = TypeVar("T")
_NAMES = ("critical", "high", "medium", "low", "info")


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change) if change < 0 else "±0"


def _finding(item: DigestFinding) -> str:
    where = f"{kind_label(item.resource_kind).lower()} {item.resource_id} ({item.account} {item.region})"
    opened = f", open {item.open_days} days" if item.open_days is not None else ""
    cost = " (cost)" if item.category is RuleCategory.COST else ""
    return f"{str(item.severity).upper():<9}{item.rule_id:<8}{where}: {item.headline or item.title}{cost}{opened}"


def _token(item: TokenDue) -> str:
    if item.changed_on is None:
        state = "age unknown"
    else:
        state = (
            f"changed {item.changed_on}, {'overdue since' if item.overdue else 'due'} {item.due_on}"
        )
    return f"{item.resource_id} ({item.account} {item.region}): {state}"


def _approval(item: PendingApproval) -> str:
    return f"{item.kind} on {item.resource_id} by {item.requester}, expires {item.expires_at:%Y-%m-%d %H:%M}: {item.change}"


def _risk(item: ExpiringRisk) -> str:
    return f"{item.rule_id} on {item.resource_id} until {item.until} ({item.accepted_by}): {item.reason}"


def _section(title: str, shown: Shown[T], line: Callable[[T], str]) -> list[str]:
    lines = [f"{title} ({shown.total})"]
    lines += [f"  {line(item)}" for item in shown.items]
    if shown.more:
        lines.append(f"  ...and {shown.more} more in the report")
    return [*lines, ""]


def _header(digest: Digest) -> list[str]:
    score = "n/a" if digest.score is None else f"{digest.score}/100"
    if digest.score_change is not None:
        score += f" ({_signed(digest.score_change)})"
    counts = []
    for name in _NAMES:
        now = getattr(digest.failing, name)
        before = getattr(digest.previous_failing, name) if digest.previous_failing else None
        counts.append(
            f"{name} {now}" + (f" ({_signed(now - before)})" if before is not None else "")
        )
    compared = (
        f"compared with the scan of {digest.compared_to:%Y-%m-%d %H:%M} UTC"
        if digest.compared_to
        else "no earlier scan of this scope to compare with"
    )
    return [
        f"ElastiCache digest: {digest.scope} ({digest.day}, {digest.timezone})",
        f"Posture score {score}; {digest.failing.total} failing: {', '.join(counts)}",
        compared,
        "",
    ]


def render_digest_text(digest: Digest) -> str:
    lines = _header(digest)
    if digest.unassessed:
        lines += [f"Not assessed: {', '.join(digest.unassessed)}", ""]
    if digest.compared_to is not None:
        lines += _section("New", digest.new, _finding)
        lines += _section("Reopened", digest.reopened, _finding)
        lines += _section("Resolved", digest.resolved, _finding)
    lines += _section("Oldest open high and critical", digest.oldest_open, _finding)
    lines += _section("AUTH tokens due for rotation", digest.tokens_due, _token)
    if digest.approvals_available:
        lines += _section("Pending approvals", digest.pending_approvals, _approval)
        lines += _section("Accepted risks ending this week", digest.expiring_risks, _risk)
    else:
        lines += ["Pending approvals and accepted risks: need REDIS_URL", ""]
    return "\n".join(lines).rstrip() + "\n"
