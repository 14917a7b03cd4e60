"""Action.Execute clicks: read the verb and ids, call the same flow as the Slack button,
and say what Teams should do with the answer.

A `ClickAnswer` names at most three things: the card the clicker sees in the invoke
response (`card`) or a short line instead (`message`); a card that replaces the clicked
one for everyone (`replace`, sent with update_activity); and a new card posted into the
clicked card's thread (`reply`). Flows redraw approval requests themselves (through the
TeamsNotifier's PUT), so an approval click only answers the clicker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.teams.cards.approval import render_accept_risk_form, render_approval_card
from bot.teams.cards.explain import render_explain_card
from bot.teams.cards.notices import render_notice_card
from bot.teams.cards.rotation import render_rotation_card
from bot.teams.cards.words import kind_label
from bot.teams.click_types import Click, ClickAnswer, clicked_message, decision_line
from bot.teams.names import DisplayNames
from bot.teams.pending import PENDING_CLICKS
from bot.teams.rebuild_clicks import REBUILD_CLICKS
from bot.teams.verbs import REASON_INPUT, UNTIL_INPUT, Verb, deny_reason_input
from commands.errors import UsageError
from commands.requests import AuditRequest, parse_command
from commands.scope_check import ScopeProblem
from posture.approvals import Decision
from posture.catalog import get_rule
from posture.explain import explain_document
from posture.messages import Notice
from posture.rotation import RotationAction
from posture.suppressions import read_acceptance
from workers.approvals.flows import (
    AcceptRiskInput,
    DecisionOutcome,
    DecisionResult,
    decide_request,
    deny_with_reason,
    finding_for_click,
    request_accept_risk,
    request_fix,
)
from workers.approvals.store import ApprovalStore
from workers.audit.flows import request_audit
from workers.platform.context import FlowContext
from workers.platform.telemetry import new_correlation_id
from workers.rotation.flows import rotation_click

__all__ = ["CLICKS", "Click", "ClickAnswer", "answer_click", "clicked_message", "decision_line"]


def _decided(ctx: FlowContext, request_id: str, outcome: DecisionOutcome) -> ClickAnswer:
    if outcome.result in (DecisionResult.APPROVED, DecisionResult.DENIED):
        current = ApprovalStore(ctx.connection).get(request_id)
        if current is not None:  # the flow already redrew it for everyone
            named = DisplayNames(ctx.connection).approval(current)
            return ClickAnswer(message=outcome.text, card=render_approval_card(named))
    winner = DisplayNames(ctx.connection).of(outcome.decided_by) if outcome.decided_by else ""
    return ClickAnswer(message=decision_line(outcome, winner))


def approve(ctx: FlowContext, click: Click) -> ClickAnswer:
    request_id = click.value("request_id")
    actor = click.actor.neutral()
    outcome = decide_request(ctx, actor, request_id, Decision.APPROVE, click.clicked)
    return _decided(ctx, request_id, outcome)


def deny(ctx: FlowContext, click: Click) -> ClickAnswer:
    """The Deny form's button: the reason typed in the card goes with the decision; the form
    stays as it was when the click is refused (the requester, a short reason)."""
    request_id = click.value("request_id")
    typed = click.value(deny_reason_input(request_id))
    outcome = deny_with_reason(ctx, click.actor.neutral(), request_id, typed, click.clicked)
    return _decided(ctx, request_id, outcome)


def explain(ctx: FlowContext, click: Click) -> ClickAnswer:
    found = finding_for_click(ctx, click.actor.neutral(), click.value("finding_id"))
    if isinstance(found, Notice):
        return ClickAnswer(message=found.text)
    document = explain_document(get_rule(found.rule_id))
    return ClickAnswer(
        message=f"The explanation of {found.rule_id} is posted in this thread.",
        reply=render_explain_card(document),
    )


def fix(ctx: FlowContext, click: Click) -> ClickAnswer:
    notice = request_fix(ctx, click.actor.neutral(), click.value("finding_id"), click.thread)
    return ClickAnswer(message=notice.text)


@dataclass(frozen=True)
class _Subject:
    finding_id: str
    rule_id: str
    title: str


def accept_risk(ctx: FlowContext, click: Click) -> ClickAnswer:
    finding_id = click.value("finding_id")
    found = finding_for_click(ctx, click.actor.neutral(), finding_id)
    if isinstance(found, Notice):
        return ClickAnswer(message=found.text)
    subject = _Subject(finding_id=finding_id, rule_id=found.rule_id, title=found.title)
    resource = f"{kind_label(found.resource_kind)} {found.resource_id} · {found.region}"
    form = render_accept_risk_form(subject, resource, ctx.clock().date())
    return ClickAnswer(message="Fill in the form posted in this thread.", reply=form)


def submit_risk(ctx: FlowContext, click: Click) -> ClickAnswer:
    """The form's submit: the same checks as the Slack modal, then the approval request."""
    read = read_acceptance(click.value(REASON_INPUT), click.value(UNTIL_INPUT), ctx.clock())
    if isinstance(read, dict):
        return ClickAnswer(message=" ".join(read.values()))
    reason, until = read
    form = AcceptRiskInput(
        finding_id=click.value("finding_id"),
        where=click.clicked.conversation,  # the form is a reply in the finding's thread
        reason=reason,
        until=until,
    )
    problem = request_accept_risk(ctx, click.actor.neutral(), form)
    if problem is not None:
        return ClickAnswer(message=problem.text)
    done = render_notice_card(
        Notice(
            text=f"Accept-risk request sent by {click.actor.user_name or 'someone'}; "
            "an approver decides on the request posted in this thread."
        )
    )
    return ClickAnswer(message="Sent for approval.", card=done, replace=done)


def _rotation(ctx: FlowContext, click: Click, action: RotationAction) -> ClickAnswer:
    answer = rotation_click(
        ctx, click.actor.neutral(), action, click.value("rotation_id"), click.clicked
    )
    if answer.closed is None:
        return ClickAnswer(message=answer.text)
    closed = render_rotation_card(
        answer.closed,
        closed_by=click.actor.user_name or click.actor.user_aad_id,
        closed_what=answer.closed_label,
    )
    return ClickAnswer(message=answer.text, card=closed, replace=closed)


def finalize(ctx: FlowContext, click: Click) -> ClickAnswer:
    return _rotation(ctx, click, RotationAction.FINALIZE)


def cancel(ctx: FlowContext, click: Click) -> ClickAnswer:
    return _rotation(ctx, click, RotationAction.CANCEL)


def audit(ctx: FlowContext, click: Click) -> ClickAnswer:
    """A suggested scope (checked like typed text) or "Scan anyway" (the check skipped)."""
    try:
        request = parse_command("/cache-audit", click.value("scope"))
    except UsageError as exc:
        return ClickAnswer(message=exc.message)
    if not isinstance(request, AuditRequest):
        return ClickAnswer(message="That button is not one of ours.")
    answer = request_audit(
        ctx,
        click.actor.neutral(),
        request,
        new_correlation_id(),
        check_names=click.value("anyway") != "1",
    )
    if isinstance(answer, ScopeProblem):
        return ClickAnswer(message=answer.message)
    return ClickAnswer(message=answer.text)


CLICKS: Mapping[str, Callable[[FlowContext, Click], ClickAnswer]] = {
    Verb.AUDIT: audit,
    Verb.APPROVE: approve,
    Verb.DENY: deny,
    Verb.EXPLAIN: explain,
    Verb.REQUEST_FIX: fix,
    Verb.ACCEPT_RISK: accept_risk,
    Verb.SUBMIT_RISK: submit_risk,
    Verb.FINALIZE: finalize,
    Verb.CANCEL: cancel,
    **PENDING_CLICKS,
    **REBUILD_CLICKS,
}


def answer_click(ctx: FlowContext, click: Click) -> ClickAnswer:
    handler = CLICKS.get(click.verb)
    if handler is None:
        return ClickAnswer(message="That button is not one of ours.")
    return handler(ctx, click)
