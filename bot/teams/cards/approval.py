"""Approval requests, the accept-risk form, fix runbooks and verified results as cards.

Approve and Deny are Action.Execute buttons shown only while the request is pending; the
invoke answers with the redrawn card and the bot replaces the post for everyone with
update_activity. Their data is only the request id.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Protocol

from bot.teams.cards.elements import (
    Card,
    Element,
    action_execute,
    action_show_card,
    card,
    code,
    escape,
    facts,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.plan_choices import plan_choices
from bot.teams.cards.words import kind_label, when
from bot.teams.verbs import (
    REASON_INPUT,
    UNTIL_INPUT,
    Verb,
    deny_reason_input,
)
from posture.approvals import ApprovalRequest, RequestKind, State
from posture.digest import PendingApproval
from posture.remediation import FixPlan, FixResult, PlanKind
from workers.approvals.flows import DENY_REASON_MAX, DENY_REASON_MIN

KIND_TITLES = {
    RequestKind.FIX: "Fix request",
    RequestKind.ACCEPT_RISK: "Accept-risk request",
    RequestKind.ROTATE: "AUTH token rotation (step 1: ROTATE)",
    RequestKind.FINALIZE: "AUTH token rotation (step 2: SET)",
}
_TEXT_SHOWN = 1500
_CALL_SHOWN = 2500
REASON_MIN, REASON_MAX = 10, 500  # as on Slack's accept-risk modal
MAX_ACCEPT_DAYS = 365


def status_line(request: ApprovalRequest) -> str:
    """Who decided, when, and the outcome, in one line everyone sees."""
    by = f" by {request.decided_by}" if request.decided_by else ""
    at = f" at {when(request.decided_at)}" if request.decided_at else ""
    outcome = f": {request.outcome}" if request.outcome else ""
    lines = {
        State.PENDING: f"Waiting for an approver (expires {when(request.expires_at)}).",
        State.APPROVED: f"Approved{by}{at}. Starting…",
        State.RUNNING: f"Approved{by}{at}. Running{outcome or '…'}",
        State.DONE: f"Done. Approved{by}{at}{outcome}",
        State.FAILED: f"Failed. Approved{by}{at}{outcome}",
        State.DENIED: f"Denied{by}{at}. Nothing was changed.",
        State.EXPIRED: f"Expired at {when(request.decided_at or request.expires_at)} without a"
        " decision. Nothing was changed.",
        State.CANCELLED: f"Cancelled{by}{at}. Nothing was changed.",
    }
    return lines[request.state]


def _subject(request: ApprovalRequest) -> Element:
    pairs = []
    if request.rule_id:
        pairs.append(("Rule", request.rule_id))
    pairs += [
        (kind_label(request.resource_kind), request.resource_id),
        ("Account", request.account),
        ("Region", request.region),
    ]
    return facts(pairs)


def _details(request: ApprovalRequest) -> list[Element]:
    body = [
        text_block("**What will change**"),
        text_block(escape(truncate(inline_code(request.change), _TEXT_SHOWN))),
    ]
    if request.kind is RequestKind.ACCEPT_RISK:
        until = request.accept_until.strftime("%Y-%m-%d") if request.accept_until else "?"
        return [*body, facts([("Reason", request.reason), ("Suppressed until", until)])]
    if request.warning:
        body += [
            text_block("**Before you approve**", color="Warning"),
            text_block(escape(truncate(request.warning, _TEXT_SHOWN))),
        ]
    body += [text_block("**Exact call**"), code(request.api_call, _CALL_SHOWN)]
    for name, value in (("Risk", request.risk), ("Backout", request.backout)):
        if value:
            body += prose_and_code(name, value)
    return body


_CODE_SPAN = re.compile(r"`([^`]+)`")


def inline_code(text: str) -> str:
    """A short `value` inside a sentence, without its backticks: TextBlock Markdown has no
    code spans, so they would show literally (commands get their own block, below)."""
    return _CODE_SPAN.sub(r"\1", text)


def prose_and_code(name: str, text: str) -> list[Element]:
    """Neutral text marks commands as `code`; TextBlock Markdown has no code spans, so the
    prose is a TextBlock and each command its own monospace block, never literal backticks."""
    elements: list[Element] = []
    prose: list[str] = []
    for index, part in enumerate(_CODE_SPAN.split(truncate(text, _TEXT_SHOWN))):
        if index % 2:
            elements.append(code(part, _CALL_SHOWN))
            continue
        words = part.strip().lstrip(".;,: ") if index else part.strip()  # no ". Next" after code
        if words:
            prose.append(words)
            elements.append(text_block(escape(words)))
    lead = f"**{escape(name)}**"
    if elements and elements[0].get("type") == "TextBlock" and prose:
        elements[0] = text_block(f"{lead} {elements[0]['text']}")
    else:
        elements.insert(0, text_block(lead))
    return elements


Decidable = ApprovalRequest | PendingApproval


def operation_of(api_call: str) -> str:
    """`ModifyReplicationGroup` from `elasticache:ModifyReplicationGroup {...}`."""
    head = api_call.split(None, 1)[0] if api_call.strip() else ""
    return head.rpartition(":")[2] or "the change"


def approve_action(request: Decidable, verb: Verb = Verb.APPROVE) -> Element:
    """Approve; when it changes AWS, a second look first (Teams has no confirm dialog): the
    button opens "Approve and change AWS?" with the call, the resource and where, and only
    "Approve and run" there decides."""
    data = {"request_id": request.request_id}
    if not request.changes_aws:
        return action_execute("Approve", verb, data, style="positive")
    calls = len([line for line in request.api_call.splitlines() if line.strip()])
    what = operation_of(request.api_call) + (f" and {calls - 1} more" if calls > 1 else "")
    body = [
        text_block("**Approve and change AWS?**"),
        facts(
            [
                ("Operation", what),
                ("Resource", request.resource_id),
                ("Account", request.account),
                ("Region", request.region),
            ]
        ),
        text_block("cachewarden makes this call as soon as you approve.", subtle=True),
    ]
    if request.warning:
        body.append(
            text_block("Read **Before you approve** on the request first.", color="Warning")
        )
    run = action_execute("Approve and run", verb, data, style="positive")
    return action_show_card("Approve…", body, [run], style="positive")


def deny_action(request: Decidable, verb: Verb = Verb.DENY) -> Element:
    """Deny asks why, as on Slack: the reason is shown on the request and kept in the log."""
    field = deny_reason_input(request.request_id)
    reason = {
        "type": "Input.Text",
        "id": field,
        "label": "Why deny it?",
        "isMultiline": True,
        "isRequired": True,
        "maxLength": DENY_REASON_MAX,
        "regex": rf"^[\s\S]{{{DENY_REASON_MIN},{DENY_REASON_MAX}}}$",
        "errorMessage": f"Give a reason of {DENY_REASON_MIN} characters or more.",
        "placeholder": "e.g. Not during the sale; retry Monday.",
    }
    body = [
        reason,
        text_block(
            "Shown on the request to the requester, and kept in the audit log. "
            "Nothing in AWS changes.",
            subtle=True,
        ),
    ]
    send = action_execute("Deny", verb, {"request_id": request.request_id}, style="destructive")
    send["associatedInputs"] = "auto"
    return action_show_card("Deny…", body, [send], style="destructive")


def decision_actions(request: Decidable) -> list[Element]:
    return [approve_action(request), deny_action(request)]


def approval_text(request: ApprovalRequest) -> str:
    title = KIND_TITLES.get(request.kind, "Approval request")
    return " ".join(
        f"{title} for {request.rule_id or ''} on {request.resource_id}: {request.state}".split()
    )


def render_approval_card(request: ApprovalRequest) -> Card:
    """The request in its current state; buttons only while a decision is possible."""
    title = KIND_TITLES.get(request.kind, "Approval request")
    reference = f"Requested by {request.requester} · request {request.request_id}"
    if request.correlation_id:
        reference += f" · correlation id {request.correlation_id}"
    body = [
        heading(f"{title}: {request.rule_id or request.resource_id}"),
        _subject(request),
        *_details(request),
        text_block(escape(reference), subtle=True, size="Small"),
        text_block(
            f"**{escape(status_line(request))}**",
            color="Attention" if request.state in (State.FAILED, State.DENIED) else None,
        ),
    ]
    if request.state is State.DENIED and request.decision_reason:
        body.append(text_block(f"**Reason:** {escape(truncate(request.decision_reason, 600))}"))
    pending = request.state is State.PENDING
    return card(
        body,
        actions=decision_actions(request) if pending else None,
        summary=approval_text(request),
    )


class RiskSubject(Protocol):
    """What the accept-risk form names: a `FindingLine`, or a finding reloaded for a click."""

    @property
    def finding_id(self) -> str: ...
    @property
    def rule_id(self) -> str: ...
    @property
    def title(self) -> str: ...


def render_accept_risk_form(line: RiskSubject, resource: str, today: date) -> Card:
    """Asks why the risk is acceptable and until which day (at most a year ahead)."""
    default_until = today + timedelta(days=90)
    latest = today + timedelta(days=MAX_ACCEPT_DAYS)
    body = [
        heading("Accept risk"),
        text_block(escape(f"{line.rule_id} {line.title}"), weight="Bolder"),
        text_block(escape(resource), subtle=True),
        {
            "type": "Input.Text",
            "id": REASON_INPUT,
            "label": "Why is this risk acceptable?",
            "isMultiline": True,
            "isRequired": True,
            "maxLength": REASON_MAX,
            "regex": rf"^[\s\S]{{{REASON_MIN},{REASON_MAX}}}$",
            "errorMessage": f"Give a reason of {REASON_MIN} to {REASON_MAX} characters.",
            "placeholder": "An approver reads this; it is kept in the audit log.",
        },
        {
            "type": "Input.Date",
            "id": UNTIL_INPUT,
            "label": "Suppressed until",
            "isRequired": True,
            "value": default_until.isoformat(),
            "min": (today + timedelta(days=1)).isoformat(),
            "max": latest.isoformat(),
            "errorMessage": "Pick a day within the next year.",
        },
        text_block(
            "The finding stays visible as suppressed, counted on its own, until the day passes.",
            subtle=True,
        ),
    ]
    submit = action_execute("Ask for approval", Verb.SUBMIT_RISK, {"finding_id": line.finding_id})
    submit["associatedInputs"] = "auto"
    return card(body, actions=[submit], summary=f"Accept risk for {line.rule_id}")


def render_plan_card(plan: FixPlan) -> Card:
    """A runbook (rebuild or manual) or the reason a fix cannot run yet."""
    where = f"{kind_label(plan.resource_kind)} {plan.resource_id} · {plan.region}"
    if plan.kind is PlanKind.BLOCKED or plan.runbook is None:
        text = f"{plan.rule_id} on {plan.resource_id}: no fix can run yet"
        body = [
            text_block(f"**{escape(text)}**"),
            text_block(escape(truncate(plan.reason or plan.change, _TEXT_SHOWN))),
            text_block(escape(where), subtle=True),
            *plan_choices(plan),
        ]
        return card(body, summary=text)
    runbook = plan.runbook
    body = [
        heading(runbook.title),
        text_block(escape(truncate(runbook.summary, _TEXT_SHOWN))),
        text_block(escape(where), subtle=True),
    ]
    for number, step in enumerate(runbook.steps, 1):
        body.append(text_block(f"**{number}. {escape(step.title)}**"))
        if step.note:
            body.append(text_block(escape(truncate(step.note, 600))))
        if step.commands:
            body.append(code("\n".join(step.commands)))
    if runbook.backout:
        body += prose_and_code("Backout", truncate(runbook.backout, 500))
    body += plan_choices(plan)
    label = "Rebuild runbook" if plan.kind is PlanKind.REBUILD else "Manual fix"
    return card(body, summary=f"{label} for {plan.rule_id} on {plan.resource_id}")


def render_fix_result_card(result: FixResult) -> Card:
    """The verified outcome of a fix; a button to request the next step when there is one."""
    verdict = "Verified" if result.verified else "Not verified"
    text = f"{verdict}: {result.rule_id} on {result.resource_id} " + (
        "now passes." if result.verified else "still fails."
    )
    body = [
        text_block(f"**{escape(text)}**", color="Good" if result.verified else "Attention"),
        text_block(escape(truncate(result.evidence, _TEXT_SHOWN))),
        text_block(escape(f"Fresh rescan after request {result.request_id}"), subtle=True),
    ]
    if result.next_step:
        body.append(text_block(escape(truncate(result.next_step, _TEXT_SHOWN))))
    actions = None
    if result.next_finding_id:
        actions = [
            action_execute(
                "Request next step", Verb.REQUEST_FIX, {"finding_id": result.next_finding_id}
            )
        ]
    return card(body, actions=actions, summary=text)
