"""Block Kit for real-time alerts: a new risk with its buttons, and the short follow-ups.

Pure functions of the neutral models in `posture.alert_transitions`. The buttons reuse the
finding action ids and opaque finding ids, so the existing click handlers answer them.
"""

from __future__ import annotations

from bot.slack.render.mrkdwn import code, escape, truncate
from bot.slack.render.slack_elements import Block, context, fallback, section
from bot.slack.render.slack_findings import KIND_LABELS, finding_menu
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert, TransitionKind
from posture.alerts import Actor
from posture.findings import Status
from posture.messages import FindingLine

_EVIDENCE_SHOWN = 500
_SEVERITY_MARK = {"critical": ":red_circle:", "high": ":large_orange_circle:"}


def _when(alert: RiskAlert | AlertFollowUp) -> str:
    return alert.event_time.strftime("%Y-%m-%d %H:%M:%S UTC")


def _who(actor: Actor) -> str:
    return f"*{escape(actor.display)}*"


def actor_context(actor: Actor) -> str:
    """Principal ARN, role behind the session, source address and client, in one line."""
    parts = [f"Principal: {code(actor.arn)}" if actor.arn else "Principal: unknown"]
    if actor.issuer_arn and actor.issuer_arn != actor.arn:
        parts.append(f"via {code(actor.issuer_arn)}")
    if actor.invoked_by:
        parts.append(f"invoked by {escape(actor.invoked_by)}")
    if actor.source_ip:
        parts.append(f"from {escape(actor.source_ip)}")
    if actor.user_agent:
        parts.append(f"client {code(truncate(actor.user_agent, 80))}")
    return " · ".join(parts)


def render_alert(alert: RiskAlert) -> tuple[str, list[Block]]:
    kind = KIND_LABELS.get(alert.resource_kind, alert.resource_kind)
    mark = _SEVERITY_MARK.get(alert.severity.value, ":warning:")
    headline = (
        f"{mark} *New risk* on {kind.lower()} {code(alert.resource_id)}: "
        f"{escape(alert.failure)} ({alert.severity.value}, {code(alert.rule_id)})"
    )
    change = (
        f"{code(alert.event_name)} by {_who(alert.actor)} at {_when(alert)} "
        f"in {code(alert.account)} / {code(alert.region)}"
    )
    if alert.changes:
        change += "\nChanged: " + ", ".join(code(c) for c in alert.changes)
    blocks: list[Block] = [section(headline), section(change)]
    if alert.evidence.strip():
        blocks.append(context(f"Evidence: {truncate(escape(alert.evidence), _EVIDENCE_SHOWN)}"))
    blocks.append(context(actor_context(alert.actor)))
    if alert.actions:
        blocks.append({"type": "actions", "elements": [finding_menu(_line(alert))]})
    text = (
        f"New risk on {alert.resource_id}: {alert.failure} ({alert.rule_id}) after "
        f"{alert.event_name} by {alert.actor.display}"
    )
    return fallback(text), blocks


def _line(alert: RiskAlert) -> FindingLine:
    return FindingLine(
        finding_id=alert.finding_id,
        rule_id=alert.rule_id,
        title=alert.title,
        headline=alert.failure,
        severity=alert.severity,
        aliases={},
        evidence=alert.evidence,
        status=Status.FAIL,
        actions=alert.actions,
    )


def render_follow_up(follow: AlertFollowUp) -> tuple[str, list[Block]]:
    where = f"{code(follow.account)} / {code(follow.region)}"
    if follow.kind is TransitionKind.DELETED:
        line = (
            f":wastebasket: {code(follow.resource_id)} was *deleted* by {_who(follow.actor)} "
            f"({code(follow.event_name)} at {_when(follow)}, {where})."
        )
        text = f"{follow.resource_id} deleted by {follow.actor.display}"
    else:
        line = (
            f":white_check_mark: *Fixed*: {code(follow.rule_id)} on {code(follow.resource_id)} "
            f"passes again after {code(follow.event_name)} by {_who(follow.actor)} at {_when(follow)}."
        )
        text = f"{follow.rule_id} on {follow.resource_id} fixed by {follow.actor.display}"
    return fallback(text), [section(line), context(actor_context(follow.actor))]


def render_rollup(rollup: AlertRollup) -> tuple[str, list[Block]]:
    examples = ", ".join(escape(e) for e in rollup.examples)
    more = rollup.held - len(rollup.examples)
    if more > 0:
        examples += f" and {more} more"
    line = (
        f":hourglass: {rollup.held} more alerts arrived in the last {rollup.window_seconds} s, "
        f"past this channel's alert limit, and were not posted one by one: {examples}. "
        "Run `/cache-audit` to see every open finding."
    )
    return fallback(f"{rollup.held} alerts held by the rate limit"), [section(line)]
