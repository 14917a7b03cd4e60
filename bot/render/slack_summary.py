"""The parent message of an audit: state, counts by severity, pass rate, reference ids."""

from __future__ import annotations

from bot.render.mrkdwn import code, escape, truncate, user_mention
from bot.render.slack_elements import (
    Block,
    context,
    fallback,
    fields_section,
    header,
    section,
)
from posture.messages import AuditState, AuditSummary, SeverityCounts

_SCOPE_SHOWN = 120  # keeps the header under its 150-character limit with room for the state


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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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


def severity_fields(counts: SeverityCounts) -> list[str]:
    """Only the severities that have failures ("Info 0" is noise); one "none" field otherwise."""
    pairs = [
        ("Critical", counts.critical),
        ("High", counts.high),
        ("Medium", counts.medium),
        ("Low", counts.low),
        ("Info", counts.info),
    ]
    shown = [f"*{label}*\n{count}" for label, count in pairs if count]
    return shown or ["*Failing*\nnone"]


def _has_results(summary: AuditSummary) -> bool:
    if summary.state is AuditState.DONE:
        return True
    assessed = summary.passed + summary.failing.total + summary.not_applicable + summary.errors
    return assessed > 0


def totals_line(summary: AuditSummary) -> str:
    """Pass rate and failing count always; the other counts only when there are some."""
    assessed = summary.passed + summary.failing.total
    parts = [
        f"Passed {summary.passed} of {assessed} checks ({format_pass_rate(summary.pass_rate)})",
        f"{summary.failing.total} failing",
    ]
    if summary.not_applicable:
        parts.append(f"{summary.not_applicable} not applicable")
    if summary.errors:
        parts.append(_plural(summary.errors, "error"))
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed")
    return " · ".join(parts)


def reach_line(summary: AuditSummary) -> str:
    reach = [_plural(summary.accounts, "account"), _plural(summary.regions, "region")]
    took = format_duration(summary.duration_seconds)
    if took and summary.state is not AuditState.DONE:
        reach.append(f"ran for {took}")
    return " · ".join(reach)


def _failure_section(summary: AuditSummary) -> Block:
    problem = escape(truncate(summary.problem or "The audit stopped before it finished.", 2000))
    lines = [f"*The audit failed.* {problem}"]
    if summary.correlation_id:
        lines.append(f"Quote this reference when asking for help: {code(summary.correlation_id)}")
    return section("\n".join(lines))


def _partial_section(summary: AuditSummary) -> Block:
    problem = escape(truncate(summary.problem or "", 2000))
    lines = [f"*Part of the scope could not be assessed.* {problem}"]
    if summary.correlation_id:
        lines.append(f"Quote this reference when asking for help: {code(summary.correlation_id)}")
    return section("\n".join(lines))


def _reference_context(summary: AuditSummary) -> Block:
    bits = [f"Requested by {user_mention(summary.requested_by)}", f"run {code(summary.run_id)}"]
    if summary.correlation_id:
        bits.append(f"correlation id {code(summary.correlation_id)}")
    return context(" · ".join(bits))


def _fallback(summary: AuditSummary) -> str:
    counts = summary.failing
    text = f"cachewarden audit of {truncate(summary.scope, _SCOPE_SHOWN)}: {summary.state}"
    if summary.state is AuditState.FAILED:
        text += f". {summary.problem or 'The audit stopped before it finished.'}"
    elif _has_results(summary):
        text += (
            f", {counts.critical} critical, {counts.high} high, {counts.medium} medium,"
            f" {counts.low} low, {counts.info} info failing"
        )
    return fallback(escape(text))


def render_summary(summary: AuditSummary) -> tuple[str, list[Block]]:
    """Fallback text and blocks for the audit's parent message, at any state."""
    scope = truncate(summary.scope, _SCOPE_SHOWN)
    blocks: list[Block] = [
        header(f"ElastiCache audit ({summary.state}): {scope}"),
        section(f"*Scope:* {escape(scope)}\n{state_line(summary)}"),
    ]
    if summary.state is AuditState.FAILED:
        blocks.append(_failure_section(summary))
    elif summary.problem:
        blocks.append(_partial_section(summary))
    if _has_results(summary):
        blocks.append(fields_section(severity_fields(summary.failing)))
        blocks.append(section(f"{totals_line(summary)}\n{reach_line(summary)}"))
    blocks.append(_reference_context(summary))
    return _fallback(summary), blocks
