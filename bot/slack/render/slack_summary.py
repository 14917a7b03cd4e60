"""The parent message of an audit: what is worst, security and cost apart, accepted risks."""

from __future__ import annotations

from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import Block, context, fallback, header, section
from posture.messages import AuditState, AuditSummary, SeverityCounts, TopFinding

_SCOPE_SHOWN = 120  # keeps the header under its 150-character limit with room for the state
_ACCEPTED_SHOWN = 10


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


_SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
_HEADLINE_SHOWN = 120


def counts_text(counts: SeverityCounts) -> str:
    """e.g. "1 critical · 3 high": only the severities that have findings (no "Info 0")."""
    shown = [f"{getattr(counts, name)} {name}" for name in _SEVERITY_ORDER if getattr(counts, name)]
    return " · ".join(shown)


def _has_results(summary: AuditSummary) -> bool:
    if summary.state is AuditState.DONE:
        return True
    failing = summary.failing.total + summary.cost.total
    assessed = summary.passed + failing + summary.not_applicable + summary.errors
    return assessed > 0


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
        (summary.errors, _plural(summary.errors, "error")),
        (summary.folded, f"{_plural(summary.folded, 'overlapping check')} folded in"),
    ]
    parts.extend(text for count, text in optional if count)
    return " · ".join(parts)


def _where(top: TopFinding) -> str:
    kind = top.resource_kind.replace("_", " ")
    return f"{escape(kind)} {code(top.resource_id)} ({escape(top.account)}, {escape(top.region)})"


def top_line(top: TopFinding) -> str:
    """One named root cause: severity, what is wrong, where, which rules."""
    rules = ", ".join([top.rule_id, *top.also])
    headline = truncate(escape(top.headline), _HEADLINE_SHOWN)
    more = f" and {_plural(top.others, 'more resource')}" if top.others else ""
    return f"*{str(top.severity).upper()}* {headline} · {_where(top)}{more} · {escape(rules)}"


def security_section(summary: AuditSummary) -> Block:
    counts = summary.failing
    if not counts.total:
        return section("*Security:* nothing failing.")
    noun = "problem" if counts.total == 1 else "problems"
    lines = [f"*Security: {counts.total} {noun}* ({counts_text(counts)})"]
    if summary.top:
        lines.append("Worst first:")
        lines.extend(f"{n}. {top_line(top)}" for n, top in enumerate(summary.top, 1))
    return section("\n".join(lines))


def cost_section(summary: AuditSummary) -> Block:
    """Cost findings in their own section, below security and never mixed into its counts."""
    counts = summary.cost
    noun = "finding" if counts.total == 1 else "findings"
    lines = [
        f"*Cost and capacity: {counts.total} {noun}* ({counts_text(counts)}). "
        "Billing and sizing, not security exposure."
    ]
    lines.extend(f"• {top_line(top)}" for top in summary.cost_top)
    return section("\n".join(lines))


def accepted_section(summary: AuditSummary) -> Block:
    """Accepted risks by name, with who accepted them and until when; never "resolved"."""
    lines = ["*Accepted risks* (suppressed until the date, still not fixed):"]
    for item in summary.accepted[:_ACCEPTED_SHOWN]:
        kind = escape(item.resource_kind.replace("_", " "))
        lines.append(
            f"• {truncate(escape(item.headline), _HEADLINE_SHOWN)} · {kind} {code(item.resource_id)}"
            f" · accepted by {user_mention(item.accepted_by)}"
            f" until {item.until.strftime('%Y-%m-%d')}"
        )
    hidden = len(summary.accepted) - _ACCEPTED_SHOWN
    if hidden > 0:
        lines.append(f"and {hidden} more, listed in the thread.")
    return section("\n".join(lines))


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
        text += f", {counts_text(counts) or 'no'} security problems"
        if summary.top:
            text += f"; worst: {summary.top[0].headline} on {summary.top[0].resource_id}"
        if summary.cost.total:
            text += f"; {summary.cost.total} cost findings"
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
        blocks.append(security_section(summary))
        if summary.cost.total:
            blocks.append(cost_section(summary))
        if summary.accepted:
            blocks.append(accepted_section(summary))
        blocks.append(context(f"{totals_line(summary)}\n{reach_line(summary)}"))
    blocks.append(_reference_context(summary))
    return _fallback(summary), blocks
