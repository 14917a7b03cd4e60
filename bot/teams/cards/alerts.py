"""Adaptive Cards for real-time alerts: a new risk with its buttons, and the short follow-ups.

Pure functions of the neutral models in `posture.alert_transitions`, saying what the Slack
alert says (bot/slack/render/slack_alerts.py). The buttons are the finding buttons of the
audit thread (same verbs, same opaque finding id), so the existing click handlers answer
them and a Request fix lands in the alert's reply chain.
"""

from __future__ import annotations

from bot.teams.cards.elements import (
    Card,
    Element,
    card,
    escape,
    facts,
    text_block,
    truncate,
)
from bot.teams.cards.findings import finding_buttons
from bot.teams.cards.words import SEVERITY_COLORS, kind_label
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert, TransitionKind
from posture.alerts import Actor
from posture.findings import Status
from posture.messages import FindingLine

_EVIDENCE_SHOWN = 500
_AGENT_SHOWN = 80


def _when(alert: RiskAlert | AlertFollowUp) -> str:
    return alert.event_time.strftime("%Y-%m-%d %H:%M:%S UTC")


def actor_facts(actor: Actor) -> list[tuple[str, str]]:
    """Principal ARN, role behind the session, service, source address and client."""
    pairs = [("Principal", actor.arn or "unknown")]
    if actor.issuer_arn and actor.issuer_arn != actor.arn:
        pairs.append(("Via role", actor.issuer_arn))
    if actor.invoked_by:
        pairs.append(("Invoked by", actor.invoked_by))
    if actor.source_ip:
        pairs.append(("From", actor.source_ip))
    if actor.user_agent:
        pairs.append(("Client", truncate(actor.user_agent, _AGENT_SHOWN)))
    return pairs


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


def render_alert_card(alert: RiskAlert) -> Card:
    severity = alert.severity.value
    kind = kind_label(alert.resource_kind).lower()
    body: list[Element] = [
        text_block(
            f"**New risk** on {escape(kind)} **{escape(alert.resource_id)}**",
            size="Medium",
            color=SEVERITY_COLORS.get(severity),
        ),
        text_block(
            f"**{severity.upper()}** {escape(alert.rule_id)} {escape(alert.failure)}",
            color=SEVERITY_COLORS.get(severity),
        ),
        text_block(
            f"{escape(alert.event_name)} by **{escape(alert.actor.display)}** at "
            f"{_when(alert)} in account {escape(alert.account)} / {escape(alert.region)}"
        ),
    ]
    if alert.changes:
        body.append(text_block("Changed: " + escape(", ".join(alert.changes))))
    if alert.evidence.strip():
        evidence = truncate(alert.evidence.strip(), _EVIDENCE_SHOWN)
        body.append(text_block(f"Evidence: {escape(evidence)}", subtle=True))
    body.append(facts(actor_facts(alert.actor)))
    if alert.actions:
        body.append(finding_buttons(_line(alert)))
    summary = (
        f"New risk on {alert.resource_id}: {alert.failure} ({alert.rule_id}) after "
        f"{alert.event_name} by {alert.actor.display}"
    )
    return card(body, summary=summary)


def render_follow_up_card(follow: AlertFollowUp) -> Card:
    where = f"account {follow.account} / {follow.region}"
    if follow.kind is TransitionKind.DELETED:
        line = (
            f"**{escape(follow.resource_id)}** was **deleted** by "
            f"**{escape(follow.actor.display)}** ({escape(follow.event_name)} at "
            f"{_when(follow)}, {escape(where)})."
        )
        summary = f"{follow.resource_id} deleted by {follow.actor.display}"
    else:
        line = (
            f"**Fixed**: {escape(follow.rule_id)} on **{escape(follow.resource_id)}** passes "
            f"again after {escape(follow.event_name)} by **{escape(follow.actor.display)}** "
            f"at {_when(follow)}."
        )
        summary = f"{follow.rule_id} on {follow.resource_id} fixed by {follow.actor.display}"
    color = "Good" if follow.kind is TransitionKind.RESOLVED else None
    return card([text_block(line, color=color), facts(actor_facts(follow.actor))], summary=summary)


def render_rollup_card(rollup: AlertRollup) -> Card:
    examples = ", ".join(rollup.examples)
    more = rollup.held - len(rollup.examples)
    if more > 0:
        examples += f" and {more} more"
    line = (
        f"{rollup.held} more alerts arrived in the last {rollup.window_seconds} s, past this "
        f"conversation's alert limit, and were not posted one by one: {examples}. "
        "Send audit to see every open finding."
    )
    return card([text_block(escape(line))], summary=f"{rollup.held} alerts held by the rate limit")
