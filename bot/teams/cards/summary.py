"""The parent post of an audit, saying what the Slack summary says (bot/slack/render/
slack_summary.py) in the shared words of posture.wording: state with progress, what is worst
by name, cost findings apart, accepted risks with who and until when, totals, reference ids."""

from __future__ import annotations

from bot.teams.cards.elements import (
    Card,
    Element,
    card,
    container,
    escape,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.words import SEVERITY_COLORS, progress_bar
from posture.messages import AuditState, AuditSummary, TopFinding
from posture.wording import (
    ACCEPTED_NOTE,
    ACCEPTED_TITLE,
    AUDIT_STOPPED,
    COST_NOTE,
    PARTLY_ASSESSED,
    cost_title,
    counts_text,
    has_results,
    kind_label,
    plural,
    reach_line,
    security_title,
    state_line,
    totals_line,
)

_SCOPE_SHOWN = 120
_HEADLINE_SHOWN = 120
_ACCEPTED_SHOWN = 10


def _problem(summary: AuditSummary) -> list[Element]:
    if summary.state is AuditState.FAILED:
        lead, default = "The audit failed.", AUDIT_STOPPED
    elif summary.problem:
        lead, default = PARTLY_ASSESSED, ""
    else:
        return []
    body = [text_block(f"**{lead}** {escape(summary.problem or default)}", color="Attention")]
    if summary.correlation_id:
        body.append(
            text_block(
                f"Quote this reference when asking for help: {escape(summary.correlation_id)}",
                subtle=True,
            )
        )
    return body


def _progress(summary: AuditSummary) -> list[Element]:
    if summary.state is not AuditState.RUNNING or not summary.parts_total:
        return []
    return [text_block(progress_bar(summary.parts_done, summary.parts_total), monospace=True)]


def top_line(top: TopFinding) -> str:
    """One named root cause: severity, what is wrong, where, which rules (escaped Markdown)."""
    rules = ", ".join([top.rule_id, *top.also])
    where = (
        f"{kind_label(top.resource_kind).lower()} {top.resource_id} ({top.account}, {top.region})"
    )
    more = f" and {plural(top.others, 'more resource')}" if top.others else ""
    headline = escape(truncate(top.headline, _HEADLINE_SHOWN))
    return f"**{str(top.severity).upper()}** {headline} · {escape(where + more)} · {escape(rules)}"


def _security(summary: AuditSummary) -> list[Element]:
    title = security_title(summary.failing)
    worst = summary.top[0].severity.value if summary.top else ""
    body = [text_block(f"**{escape(title)}**", color=SEVERITY_COLORS.get(worst))]
    if summary.top:
        lines = [f"{n}. {top_line(top)}" for n, top in enumerate(summary.top, 1)]
        body.append(text_block("Worst first:  \n" + "  \n".join(lines), limit=6000))
    return body


def _cost(summary: AuditSummary) -> list[Element]:
    if not summary.cost.total:
        return []
    lines = [f"**{escape(cost_title(summary.cost))}** {escape(COST_NOTE)}"]
    lines += [f"• {top_line(top)}" for top in summary.cost_top]
    return [container([text_block("  \n".join(lines), limit=6000)], separator=True)]


def _accepted(summary: AuditSummary) -> list[Element]:
    if not summary.accepted:
        return []
    lines = [f"**{ACCEPTED_TITLE}** ({ACCEPTED_NOTE}):"]
    for item in summary.accepted[:_ACCEPTED_SHOWN]:
        what = (
            f"{truncate(item.headline, _HEADLINE_SHOWN)} · "
            f"{kind_label(item.resource_kind).lower()} {item.resource_id} · accepted by "
            f"{item.accepted_by} until {item.until.strftime('%Y-%m-%d')}"
        )
        lines.append(f"• {escape(what)}")
    hidden = len(summary.accepted) - _ACCEPTED_SHOWN
    if hidden > 0:
        lines.append(f"and {hidden} more, listed in the reply chain.")
    return [container([text_block("  \n".join(lines), limit=6000)], separator=True)]


def _reference(summary: AuditSummary) -> Element:
    bits = [f"Requested by {summary.requested_by}", f"run {summary.run_id}"]
    if summary.correlation_id:
        bits.append(f"correlation id {summary.correlation_id}")
    return text_block(escape(" · ".join(bits)), subtle=True, size="Small")


def summary_text(summary: AuditSummary) -> str:
    """One line for notifications and for clients that cannot draw cards."""
    text = f"cachewarden audit of {truncate(summary.scope, _SCOPE_SHOWN)}: {summary.state}"
    if summary.state is AuditState.FAILED:
        return f"{text}. {summary.problem or AUDIT_STOPPED}"
    if has_results(summary):
        text += f", {counts_text(summary.failing) or 'no'} security problems"
        if summary.top:
            text += f"; worst: {summary.top[0].headline} on {summary.top[0].resource_id}"
        if summary.cost.total:
            text += f"; {summary.cost.total} cost findings"
    return text


def render_summary_card(summary: AuditSummary) -> Card:
    scope = truncate(summary.scope, _SCOPE_SHOWN)
    body: list[Element] = [
        heading(f"ElastiCache audit ({summary.state}): {scope}"),
        text_block(f"**Scope:** {escape(scope)}  \n{escape(state_line(summary))}"),
        *_progress(summary),
        *_problem(summary),
    ]
    if has_results(summary):
        body += [*_security(summary), *_cost(summary), *_accepted(summary)]
        body.append(text_block(escape(f"{totals_line(summary)}  \n{reach_line(summary)}")))
    body.append(_reference(summary))
    return card(body, summary=summary_text(summary))
