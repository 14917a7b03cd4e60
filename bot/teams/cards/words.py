"""Plain-text wording shared by the Teams cards: labels, durations, states.

The Slack renderers hold the same facts in Slack markup (bot/slack/render/*); the two front ends
must not import each other, so the plain words live here until phase 2 moves them into a
neutral module both can use.
"""

from __future__ import annotations

from datetime import datetime

from posture.messages import AuditState, AuditSummary

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
COST_HEADING = "Cost and capacity (billing and sizing, not security exposure)"
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_COLORS = {"critical": "Attention", "high": "Attention", "medium": "Warning"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def framework_label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, framework.replace("_", " ").title())


def aliases_line(aliases: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> str:
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


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change) if change < 0 else "±0"


def state_line(summary: AuditSummary) -> str:
    """What the audit is doing now; progress counts parts (account x region), not resources."""
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


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text bar such as "▰▰▰▱▱▱▱▱▱▱ 30%" (Adaptive Cards 1.5 has no progress element)."""
    if total <= 0:
        return ""
    share = min(max(done / total, 0.0), 1.0)
    filled = round(share * width)
    return f"{'▰' * filled}{'▱' * (width - filled)} {share:.0%}"
