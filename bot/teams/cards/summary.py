"""The parent post of an audit: state with progress, failing counts, totals, reference ids."""

from __future__ import annotations

from bot.teams.cards.elements import (
    Card,
    Element,
    card,
    escape,
    facts,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.words import SEVERITIES, format_duration, plural, progress_bar, state_line
from posture.messages import AuditState, AuditSummary

_SCOPE_SHOWN = 120


def _has_results(summary: AuditSummary) -> bool:
    if summary.state is AuditState.DONE:
        return True
    return summary.passed + summary.failing.total + summary.not_applicable + summary.errors > 0


def _totals(summary: AuditSummary) -> str:
    assessed = summary.passed + summary.failing.total
    rate = "n/a" if summary.pass_rate is None else f"{summary.pass_rate:.0%}"
    return " · ".join(
        [
            f"Passed {summary.passed} of {assessed} checks ({rate})",
            f"{summary.failing.total} failing",
            f"{summary.not_applicable} not applicable",
            plural(summary.errors, "error"),
            f"{summary.suppressed} suppressed",
        ]
    )


def _reach(summary: AuditSummary) -> str:
    reach = [plural(summary.accounts, "account"), plural(summary.regions, "region")]
    took = format_duration(summary.duration_seconds)
    if took and summary.state is not AuditState.DONE:
        reach.append(f"ran for {took}")
    return " · ".join(reach)


def _problem(summary: AuditSummary) -> list[Element]:
    if summary.state is AuditState.FAILED:
        lead, default = "The audit failed.", "The audit stopped before it finished."
    elif summary.problem:
        lead, default = "Part of the scope could not be assessed.", ""
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


def _reference(summary: AuditSummary) -> Element:
    bits = [f"Requested by {summary.requested_by}", f"run {summary.run_id}"]
    if summary.correlation_id:
        bits.append(f"correlation id {summary.correlation_id}")
    return text_block(escape(" · ".join(bits)), subtle=True, size="Small")


def summary_text(summary: AuditSummary) -> str:
    """One line for notifications and for clients that cannot draw cards."""
    counts = summary.failing
    text = f"cachewarden audit of {truncate(summary.scope, _SCOPE_SHOWN)}: {summary.state}"
    if summary.state is AuditState.FAILED:
        return f"{text}. {summary.problem or 'The audit stopped before it finished.'}"
    if _has_results(summary):
        text += (
            f", {counts.critical} critical, {counts.high} high, {counts.medium} medium,"
            f" {counts.low} low, {counts.info} info failing"
        )
    return text


def render_summary_card(summary: AuditSummary) -> Card:
    scope = truncate(summary.scope, _SCOPE_SHOWN)
    body: list[Element] = [
        heading(f"ElastiCache audit ({summary.state}): {scope}"),
        text_block(f"**Scope:** {escape(scope)}  \n{escape(state_line(summary))}"),
        *_progress(summary),
        *_problem(summary),
    ]
    if _has_results(summary):
        failing = summary.failing
        body.append(
            facts([(name.capitalize(), str(getattr(failing, name))) for name in SEVERITIES])
        )
        body.append(text_block(escape(f"{_totals(summary)}  \n{_reach(summary)}")))
    body.append(_reference(summary))
    return card(body, summary=summary_text(summary))
