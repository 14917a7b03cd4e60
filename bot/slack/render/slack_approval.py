"""Approval requests, fix results and runbooks as Block Kit. Pure: models in, blocks out.

`render_approval` draws any `RequestKind` (fix, accepted risk, token rotation phases), so
every approval message looks alike: what, where, the exact call, risk, backout, and a
status line that says who decided, when, and how it ended. Approve and Deny appear only
while the request is pending; their value is only the request id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.slack.actions import ActionId
from bot.slack.render.mrkdwn import (
    code,
    code_block,
    escape,
    group_mention,
    is_safe_url,
    link,
    truncate,
    user_mention,
)
from bot.slack.render.slack_elements import (
    MAX_FIELD_TEXT,
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    fallback,
    fields_section,
    header,
    section,
)
from bot.slack.render.slack_findings import kind_label
from posture.approvals import ApprovalRequest, RequestKind, State
from posture.digest import PendingApproval
from posture.findings import Finding
from posture.remediation import FixPlan, FixResult, PlanKind

KIND_TITLES = {
    RequestKind.FIX: "Fix request",
    RequestKind.ACCEPT_RISK: "Accept-risk request",
    RequestKind.ROTATE: "AUTH token rotation (step 1: ROTATE)",
    RequestKind.FINALIZE: "AUTH token rotation (step 2: SET)",
}
_TEXT_SHOWN = 1500
_CALL_SHOWN = 2500
_REASON_SHOWN = 500


@dataclass(frozen=True)
class ApprovalFrame:
    """What Slack knows around a request: who may decide it, and a link to its other copy.

    `other_copy` is a permalink to the same request elsewhere: in the finding's thread
    seen from the security channel (`other_is_thread`), or the security-channel copy."""

    approver_users: tuple[str, ...] = ()
    approver_groups: tuple[str, ...] = ()
    other_copy: str = ""
    other_is_thread: bool = False


NO_FRAME = ApprovalFrame()


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def status_line(request: ApprovalRequest) -> str:
    """Who decided, when, and the outcome, in one line everyone sees."""
    by = f" by {user_mention(request.decided_by)}" if request.decided_by else ""
    at = f" at {when(request.decided_at)}" if request.decided_at else ""
    # A job's outcome may open with the state itself ("Done. ..."): say it once.
    said = request.outcome.removeprefix(f"{request.state.capitalize()}. ")
    outcome = f": {escape(said)}" if said else ""
    lines = {
        State.PENDING: f"*Waiting for an approver* (expires {when(request.expires_at)}).",
        State.APPROVED: f"*Approved*{by}{at}. Starting…",
        State.RUNNING: f"*Approved*{by}{at}. Running{outcome or '…'}",
        State.DONE: f"*Done.* Approved{by}{at}{outcome}",
        State.FAILED: f"*Failed.* Approved{by}{at}{outcome}",
        State.DENIED: f"*Denied*{by}{at}. Nothing was changed.{_denial_reason(request)}",
        State.EXPIRED: f"*Expired* at {when(request.decided_at or request.expires_at)} without a decision. Nothing was changed.",
        State.CANCELLED: f"*Cancelled*{by}{at}. Nothing was changed.",
    }
    return truncate(lines[request.state], MAX_SECTION_TEXT)


def _denial_reason(request: ApprovalRequest) -> str:
    if not request.decision_reason:
        return ""
    return f"\n*Reason:* {truncate(escape(request.decision_reason), _REASON_SHOWN)}"


def _subject(request: ApprovalRequest) -> str:
    rule = f"{code(request.rule_id)} on " if request.rule_id else ""
    where = f"account {code(request.account)} · {escape(request.region)}"
    return (
        f"{rule}*{escape(kind_label(request.resource_kind))}* {code(request.resource_id)} · {where}"
    )


def _details(request: ApprovalRequest) -> list[Block]:
    blocks = [section(f"*What will change*\n{truncate(escape(request.change), _TEXT_SHOWN)}")]
    if request.kind is RequestKind.ACCEPT_RISK:
        until = request.accept_until.strftime("%Y-%m-%d") if request.accept_until else "?"
        blocks.append(
            fields_section(
                [
                    f"*Reason*\n{truncate(escape(request.reason), MAX_FIELD_TEXT - 20)}",
                    f"*Suppressed until*\n{until}",
                ]
            )
        )
        return blocks
    if request.warning:
        blocks.append(
            section(
                f":warning: *Before you approve*\n{truncate(escape(request.warning), _TEXT_SHOWN)}"
            )
        )
    blocks.append(exact_call(request.api_call))
    # Full width: the two halves of a fields section are too narrow for a sentence each.
    if request.risk:
        blocks.append(section(f"*Risk*\n{truncate(escape(request.risk), _TEXT_SHOWN)}"))
    if request.backout:
        blocks.append(backout_section(request.backout))
    return blocks


_COMMAND = re.compile(r"`(aws [^`]+)`")


def backout_section(backout: str) -> Block:
    """Backout in words, with any AWS CLI commands it quotes in a block of their own
    (inline code wraps a long command into an unreadable column)."""
    commands = _COMMAND.findall(backout)
    if not commands:
        return section(f"*Backout*\n{truncate(escape(backout), _TEXT_SHOWN)}")
    words = " ".join(_COMMAND.sub(" ", backout).replace(";", " ").split()).rstrip(" .:")
    shown = f"*Backout*\n{truncate(escape(words), 500)}:\n"
    return section(shown + code_block("\n".join(commands), _CALL_SHOWN))


def exact_call(api_call: str) -> Block:
    """The one way an AWS call the bot will make is shown: a labelled code block."""
    return section(f"*Exact call*\n{code_block(api_call, _CALL_SHOWN)}")


def operation_of(api_call: str) -> str:
    """`ModifyReplicationGroup` from `elasticache:ModifyReplicationGroup {...}`."""
    head = api_call.split(None, 1)[0] if api_call.strip() else ""
    return head.rpartition(":")[2] or "the change"


def approve_confirm(request: ApprovalRequest | PendingApproval) -> Block:
    """The dialog Slack shows before an Approve that changes AWS is sent."""
    calls = len([line for line in request.api_call.splitlines() if line.strip()])
    what = operation_of(request.api_call) + (f" and {calls - 1} more" if calls > 1 else "")
    text = (
        f"cachewarden calls {what} on {request.resource_id} "
        f"(account {request.account}, {request.region}) as soon as you confirm."
    )
    if request.warning:
        text += " Read 'Before you approve' on the request first."
    return confirm_dialog("Approve and change AWS?", text, "Approve and run", "Not yet")


def decision_buttons(request: ApprovalRequest | PendingApproval) -> Block:
    """Approve (confirmed first when it changes AWS) and Deny (which asks for a reason)."""
    approve = button("Approve", ActionId.APPROVE, request.request_id, style="primary")
    if request.changes_aws:
        approve["confirm"] = approve_confirm(request)
    return actions([approve, button("Deny…", ActionId.DENY, request.request_id, style="danger")])


def approvers_line(frame: ApprovalFrame) -> str:
    """Who is asked to decide, as mentions that notify them."""
    who = [user_mention(u) for u in frame.approver_users]
    who += [group_mention(g) for g in frame.approver_groups]
    if not who:
        return ""
    return f"*Asked to decide:* {', '.join(who)} (anyone of them except the requester)"


def other_copy_line(frame: ApprovalFrame) -> str:
    if not frame.other_copy or not is_safe_url(frame.other_copy):
        return ""
    label = "the finding's thread" if frame.other_is_thread else "the security-channel copy"
    return f"Also shown in {link(frame.other_copy, label)}"


def render_approval(
    request: ApprovalRequest, frame: ApprovalFrame = NO_FRAME
) -> tuple[str, list[Block]]:
    """The approval message in its current state; buttons only while a decision is possible."""
    title = KIND_TITLES.get(request.kind, "Approval request")
    blocks = [
        header(f"{title}: {request.rule_id or request.resource_id}"),
        section(_subject(request)),
    ]
    blocks += _details(request)
    ids = f"Requested by {user_mention(request.requester)} · request {code(request.request_id)}"
    if request.correlation_id:
        ids += f" · correlation id {code(request.correlation_id)}"
    blocks.append(context(ids))
    pending = request.state is State.PENDING
    lines = [status_line(request), approvers_line(frame) if pending else "", other_copy_line(frame)]
    blocks.append(section("\n".join(line for line in lines if line)))
    if pending:
        blocks.append(decision_buttons(request))
    text = f"{title} for {request.rule_id or ''} on {request.resource_id}: {request.state}"
    return fallback(escape(" ".join(text.split()))), blocks


def render_plan(plan: FixPlan) -> tuple[str, list[Block]]:
    """A runbook (rebuild or manual) or the reason a fix cannot run yet."""
    where = (
        f"{escape(kind_label(plan.resource_kind))} {code(plan.resource_id)} · {escape(plan.region)}"
    )
    if plan.kind is PlanKind.BLOCKED or plan.runbook is None:
        text = f"{plan.rule_id} on {plan.resource_id}: no fix can run yet"
        body = f"*{escape(text)}*\n{truncate(escape(plan.reason or plan.change), _TEXT_SHOWN)}"
        return fallback(escape(text)), [section(body), context(where)]
    runbook = plan.runbook
    blocks = [
        header(runbook.title),
        section(truncate(escape(runbook.summary), _TEXT_SHOWN)),
        context(where),
    ]
    for number, step in enumerate(runbook.steps, 1):
        body = f"*{number}. {escape(step.title)}*"
        if step.note:
            body += f"\n{truncate(escape(step.note), 600)}"
        if step.commands:
            body += "\n" + code_block("\n".join(step.commands), MAX_SECTION_TEXT - len(body) - 2)
        blocks.append(section(body))
    blocks.append(context(f"Backout: {truncate(escape(runbook.backout), 500)}"))
    label = "Rebuild runbook" if plan.kind is PlanKind.REBUILD else "Manual fix"
    return fallback(escape(f"{label} for {plan.rule_id} on {plan.resource_id}")), blocks


def render_fix_result(result: FixResult) -> tuple[str, list[Block]]:
    """The verified outcome of a fix; a button to request the follow-up step when there is one."""
    verdict = "Verified" if result.verified else "Not verified"
    text = f"{verdict}: {result.rule_id} on {result.resource_id} " + (
        "now passes." if result.verified else "still fails."
    )
    blocks = [
        section(f"*{escape(text)}*\n{truncate(escape(result.evidence), _TEXT_SHOWN)}"),
        context(f"Fresh rescan after request {code(result.request_id)}"),
    ]
    if result.endpoints:
        names = "\n".join(f"• {escape(name)}" for name in result.endpoints)
        blocks.append(
            section(
                truncate(
                    f"*Endpoints now* (re-read after the change; clients use these)\n{names}",
                    _TEXT_SHOWN,
                )
            )
        )
    if result.next_step:
        blocks.append(section(truncate(escape(result.next_step), _TEXT_SHOWN)))
    if result.next_finding_id:
        blocks.append(
            actions(
                [
                    button(
                        "Request next step",
                        ActionId.REQUEST_FIX,
                        result.next_finding_id,
                        style="primary",
                    )
                ]
            )
        )
    return fallback(escape(text)), blocks


ACCEPT_RISK_CALLBACK = "accept_risk_modal"
REASON_BLOCK = "reason"
UNTIL_BLOCK = "until"
REASON_INPUT = "accept_risk_reason"  # the modal's inputs (not buttons, so not ActionIds)
UNTIL_INPUT = "accept_risk_until"


def _input(block_id: str, label: str, element: Block, hint: str) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "hint": {"type": "plain_text", "text": hint},
    }


def render_accept_risk_modal(finding: Finding, metadata: str, default_until: date) -> Block:
    """The modal that asks why the risk is acceptable and until which day."""
    subject = f"{code(finding.rule_id)} {escape(finding.headline)}\n*{escape(kind_label(finding.resource_kind))}* {code(finding.resource_id)} · account {code(finding.account)} · {escape(finding.region)}"
    reason = {
        "type": "plain_text_input",
        "action_id": REASON_INPUT,
        "multiline": True,
        "min_length": 10,
        "max_length": 500,
    }
    until = {
        "type": "plain_text_input",
        "action_id": UNTIL_INPUT,
        "initial_value": default_until.isoformat(),
        "max_length": 10,
    }
    return {
        "type": "modal",
        "callback_id": ACCEPT_RISK_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Accept risk"},
        "submit": {"type": "plain_text", "text": "Ask for approval"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(truncate(subject, MAX_SECTION_TEXT)),
            _input(
                REASON_BLOCK,
                "Why is this risk acceptable?",
                reason,
                "An approver reads this; it is kept in the audit log.",
            ),
            _input(
                UNTIL_BLOCK,
                "Suppressed until (YYYY-MM-DD)",
                until,
                "At most a year; the finding fails again after this day.",
            ),
            context(
                "The finding stays visible as suppressed, counted on its own, until the date passes."
            ),
        ],
    }
