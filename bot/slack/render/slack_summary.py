"""The parent message of an audit: what is worst, security and cost apart, accepted risks."""

from __future__ import annotations

from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import Block, context, fallback, header, section
from posture.messages import AuditState, AuditSummary, TopFinding
from posture.wording import counts_text, reach_line, state_line, totals_line
from posture.wording import format_duration as format_duration  # shared words (re-exported)
from posture.wording import has_results as _has_results
from posture.wording import plural as _plural

_SCOPE_SHOWN = 120  # keeps the header under its 150-character limit with room for the state
_ACCEPTED_SHOWN = 10


_HEADLINE_SHOWN = 120


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
