"""`pending` (or `approvals`) in a personal chat: the requests waiting for a decision, with
Approve and Deny, through the same flows as Slack's App Home (`workers.home.flows` for the
list, `workers.approvals.flows` for the decision, with no clicked message: the decider's
own page). Four eyes holds twice: the requester's own requests carry no buttons, and
`decide` refuses the requester even if a click arrives anyway.

Only a personal chat shows the list, and only a click from a personal chat counts as one
from the list (Teams sets `conversationType` on the signed activity), so a channel card
can never skip the check that a click is on the request's own message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from bot.teams.cards.elements import Card
from bot.teams.cards.notices import render_notice_card
from bot.teams.cards.pending import render_pending_card
from bot.teams.click_types import Click, ClickAnswer, decision_line
from bot.teams.dispatch import TeamsActor
from bot.teams.names import DisplayNames
from bot.teams.verbs import Verb, deny_reason_input
from posture.approvals import Decision
from posture.conversations import Platform
from posture.digest import PendingApproval, Shown
from posture.messages import Notice
from workers.approvals.flows import DecisionOutcome, decide_request, deny_with_reason
from workers.approvals.store import ApprovalStore
from workers.home.flows import home_page
from workers.platform.context import FlowContext

PENDING_WORDS = ("pending", "approvals")
PERSONAL_ONLY = (
    "Pending approvals are listed only in a personal chat with cachewarden: open one and "
    "send pending there."
)
NOT_HERE = "Decide from the list in your personal chat with cachewarden, or on the request."


def is_pending_command(text: str) -> bool:
    words = text.split()
    return len(words) == 1 and words[0].lower() in PENDING_WORDS


def _ours(ctx: FlowContext, shown: Shown[PendingApproval]) -> Shown[PendingApproval]:
    """Only requests asked in Teams (in this tenant): another front end's requests are
    decided there, and a click here would only be refused."""
    store = ApprovalStore(ctx.connection)
    kept = []
    for item in shown.items:
        request = store.get(item.request_id)
        origin = request.origin if request is not None else None
        if (
            origin is not None
            and origin.platform is Platform.TEAMS
            and (not ctx.workspace or origin.workspace == ctx.workspace)
        ):
            kept.append(item)
    dropped = len(shown.items) - len(kept)
    return Shown[PendingApproval](items=tuple(kept), total=max(shown.total - dropped, len(kept)))


def pending_card(ctx: FlowContext, actor: TeamsActor, notice: str = "") -> Card:
    if actor.conversation_type != "personal":
        return render_notice_card(Notice(text=PERSONAL_ONLY))
    page = home_page(ctx, actor.neutral())
    if page is None:
        return render_notice_card(Notice(text="cachewarden is not installed for this tenant."))
    to_decide, mine = _ours(ctx, page.pending_approvals), _ours(ctx, page.my_requests)
    people = [item.requester for item in (*to_decide.items, *mine.items)]
    names = DisplayNames(ctx.connection).names(people)
    return render_pending_card(to_decide, mine, names, is_approver=page.is_approver, notice=notice)


def _answer(ctx: FlowContext, click: Click, outcome: DecisionOutcome) -> ClickAnswer:
    winner = DisplayNames(ctx.connection).of(outcome.decided_by) if outcome.decided_by else ""
    line = decision_line(outcome, winner)
    return ClickAnswer(message=line, card=pending_card(ctx, click.actor, line))


def pending_approve(ctx: FlowContext, click: Click) -> ClickAnswer:
    if click.actor.conversation_type != "personal":
        return ClickAnswer(message=NOT_HERE)
    request_id = click.value("request_id")
    outcome = decide_request(ctx, click.actor.neutral(), request_id, Decision.APPROVE, None)
    return _answer(ctx, click, outcome)


def pending_deny(ctx: FlowContext, click: Click) -> ClickAnswer:
    if click.actor.conversation_type != "personal":
        return ClickAnswer(message=NOT_HERE)
    request_id = click.value("request_id")
    typed = click.value(deny_reason_input(request_id))
    outcome = deny_with_reason(ctx, click.actor.neutral(), request_id, typed, None)
    return _answer(ctx, click, outcome)


def pending_list(ctx: FlowContext, click: Click) -> ClickAnswer:
    return ClickAnswer(message="Updated.", card=pending_card(ctx, click.actor))


PENDING_CLICKS: Mapping[str, Callable[[FlowContext, Click], ClickAnswer]] = MappingProxyType(
    {
        Verb.PENDING_APPROVE: pending_approve,
        Verb.PENDING_DENY: pending_deny,
        Verb.PENDING_LIST: pending_list,
    }
)
