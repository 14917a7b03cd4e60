"""Plain words every chat renderer shares: labels, counts, durations, states, section titles.

No markup here: Slack's renderers wrap these in mrkdwn, Teams' in Adaptive Card Markdown.
A wording change made here shows on both front ends, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from posture.catalog.model import RuleCategory
from posture.digest import TokenDue
from posture.messages import AuditState, AuditSummary, SeverityCounts

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
KIND_LABELS = {
    "replication_group": "Replication group",
    "cache_cluster": "Cache cluster",
    "serverless_cache": "Serverless cache",
    "user": "User",
    "snapshot": "Snapshot",
    "reserved_node": "Reserved node",
    "account_region": "Account and region",
    "account": "Account",
}
FRAMEWORK_LABELS = {
    "security_hub": "Security Hub",
    "checkov": "Checkov",
    "conformity": "Conformity",
    "prowler": "Prowler",
    "cloudsploit": "CloudSploit",
    "steampipe": "Steampipe",
    "aws_config": "AWS Config",
}
COST_TITLE = "Cost and capacity"
COST_NOTE = "Billing and sizing, not security exposure."
ACCEPTED_TITLE = "Accepted risks"
ACCEPTED_NOTE = "suppressed until the date, still not fixed"
FIRST_DIGEST = "First digest for this scope: the next one lists what is new and what was fixed."
AUDIT_STOPPED = "The audit stopped before it finished."
PARTLY_ASSESSED = "Part of the scope could not be assessed."


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def framework_label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, framework.replace("_", " ").title())


def aliases_line(aliases: Mapping[str, tuple[str, ...] | list[str]]) -> str:
    """e.g. "Security Hub ElastiCache.5 · Checkov CKV_AWS_30"; "" when there are none."""
    return " · ".join(
        f"{framework_label(fw)} {', '.join(ids)}" for fw, ids in aliases.items() if ids
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    whole = max(round(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def format_pass_rate(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change) if change < 0 else "±0"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def state_line(summary: AuditSummary) -> str:
    """What the audit is doing now, in words; the progress counts parts, not resources."""
    if summary.state is AuditState.QUEUED:
        return "Queued, waiting for a worker."
    if summary.state is AuditState.RUNNING:
        if summary.parts_total:
            return f"Running: {summary.parts_done} of {summary.parts_total} parts done."
        return "Running."
    if summary.state is AuditState.FAILED:
        return "Failed."
    took = format_duration(summary.duration_seconds)
    return f"Done in {took}." if took else "Done."


def counts_text(counts: SeverityCounts) -> str:
    """e.g. "1 critical · 3 high": only the severities that have findings (no "Info 0")."""
    shown = [f"{getattr(counts, name)} {name}" for name in SEVERITY_ORDER if getattr(counts, name)]
    return " · ".join(shown)


def has_results(summary: AuditSummary) -> bool:
    if summary.state is AuditState.DONE:
        return True
    failing = summary.failing.total + summary.cost.total
    return summary.passed + failing + summary.not_applicable + summary.errors > 0


def totals_line(summary: AuditSummary) -> str:
    """Pass rate, then only the totals that are not zero."""
    assessed = summary.passed + summary.failing.total + summary.cost.total
    parts = [
        f"Passed {summary.passed} of {assessed} checks ({format_pass_rate(summary.pass_rate)})"
    ]
    optional = [
        (summary.resolved, f"{summary.resolved} fixed and verified since"),
        (summary.suppressed, f"{summary.suppressed} suppressed (accepted risk)"),
        (summary.not_applicable, f"{summary.not_applicable} not applicable"),
        (summary.errors, plural(summary.errors, "error")),
        (summary.folded, f"{plural(summary.folded, 'overlapping check')} folded in"),
    ]
    parts.extend(text for count, text in optional if count)
    return " · ".join(parts)


def reach_line(summary: AuditSummary) -> str:
    reach = [plural(summary.accounts, "account"), plural(summary.regions, "region")]
    took = format_duration(summary.duration_seconds)
    if took and summary.state is not AuditState.DONE:
        reach.append(f"ran for {took}")
    return " · ".join(reach)


def security_title(counts: SeverityCounts) -> str:
    """ "Security: 3 problems (1 critical · 2 high)", or that nothing fails."""
    if not counts.total:
        return "Security: nothing failing."
    return f"Security: {plural(counts.total, 'problem')} ({counts_text(counts)})"


def cost_title(counts: SeverityCounts) -> str:
    return f"{COST_TITLE}: {plural(counts.total, 'finding')} ({counts_text(counts)})"


# How a failing rule is fixed, in words (the catalog's FixKind values). They say what AWS needs,
# not who makes the change: a finding's menu says whether cachewarden can make it.
FIX_KIND_WORDS = {
    "modify": "by a modify call (the live resource changes; no new cache)",
    "rebuild": "by rebuild (snapshot, create a replacement, move clients, delete the old one)",
    "manual": "by hand (an organisational step)",
}


def fix_kind_words(fix_kind: str) -> str:
    """Unescaped: each renderer escapes for its own markup."""
    return FIX_KIND_WORDS.get(fix_kind, fix_kind.replace("_", " "))


def digest_label(severity: object, category: RuleCategory) -> str:
    """A digest line's severity word: "HIGH", or "LOW cost" for a billing finding."""
    return str(severity).upper() + (" cost" if category is RuleCategory.COST else "")


def open_for(days: int) -> str:
    return f" · open {days} day{'s' if days != 1 else ''}"


def token_state(token: TokenDue) -> str:
    """How far an AUTH token is from its maximum age, in the digest's words."""
    if token.changed_on is None:
        return "token age unknown (AWS reports no change date): rotate to start the clock"
    if token.overdue:
        return f"last changed {token.changed_on}, overdue since {token.due_on}"
    return f"last changed {token.changed_on}, due {token.due_on}"
