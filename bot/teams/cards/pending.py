"""Pending approvals in a personal chat: Teams' counterpart of the Slack App Home list.

Requests of other people carry Approve (with its second look when it changes AWS) and
Deny (with its reason form), the same controls as on the request itself; the reader's own
requests are listed without buttons, since another approver decides them (four eyes).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.teams.cards.approval import KIND_TITLES, approve_action, deny_action, inline_code
from bot.teams.cards.elements import (
    Card,
    Element,
    action_execute,
    action_set,
    container,
    escape,
    facts,
    fit_card,
    heading,
    text_block,
    truncate,
)
from bot.teams.cards.words import when
from bot.teams.verbs import Verb
from posture.approvals import RequestKind
from posture.digest import PendingApproval, Shown

_CHANGE_SHOWN = 400
_WARNING_SHOWN = 1500  # a must-read before approving is never cut short for an approver


def _title(item: PendingApproval) -> str:
    try:
        kind = KIND_TITLES.get(RequestKind(item.kind), "Approval request")
    except ValueError:
        kind = "Approval request"
    subject = f"{item.rule_id} on {item.resource_id}" if item.rule_id else item.resource_id
    return f"{kind}: {subject}"


def _item(item: PendingApproval, names: Mapping[str, str], *, decidable: bool) -> Element:
    about = [
        ("Where", f"account {item.account} · {item.region}"),
        ("Expires", when(item.expires_at)),
    ]
    if decidable:  # the reader's own requests need no "Requested by"
        about.insert(0, ("Requested by", names.get(item.requester, item.requester)))
    items: list[Element] = [
        text_block(f"**{escape(_title(item))}**"),
        facts(about),
        text_block(escape(truncate(inline_code(item.change), _CHANGE_SHOWN))),
    ]
    if item.warning and decidable:
        warning = escape(truncate(item.warning, _WARNING_SHOWN))
        items.append(text_block(f"**Before you approve:** {warning}"))
    items.append(text_block(escape(f"request {item.request_id}"), subtle=True, size="Small"))
    if decidable:
        items.append(
            action_set(
                [approve_action(item, Verb.PENDING_APPROVE), deny_action(item, Verb.PENDING_DENY)]
            )
        )
    return container(items, separator=True)


def _more(shown: Shown[PendingApproval]) -> list[Element]:
    hidden = shown.total - len(shown.items)
    if hidden <= 0:
        return []
    return [text_block(f"…and {hidden} more, shown once these are decided.", subtle=True)]


def render_pending_card(
    to_decide: Shown[PendingApproval],
    mine: Shown[PendingApproval],
    names: Mapping[str, str],
    *,
    is_approver: bool,
    notice: str = "",
) -> Card:
    """The list for one person; `notice` answers their last click on it."""
    body: list[Element] = [heading("Pending approvals")]
    if notice:
        body.append(text_block(f"**{escape(notice)}**", color="Accent"))
    if not is_approver:
        body.append(
            text_block(
                "You are not an approver, so nothing here waits for your decision.", subtle=True
            )
        )
    elif not to_decide.items:
        body.append(text_block("Nothing waits for your decision.", subtle=True))
    for item in to_decide.items:
        body.append(_item(item, names, decidable=True))
    body += _more(to_decide)
    if mine.items:
        body.append(
            text_block(
                "**Your requests** (another approver decides them: four-eyes rule)",
                size="Medium",
            )
        )
        body += [_item(item, names, decidable=False) for item in mine.items]
        body += _more(mine)
    count = len(to_decide.items)
    summary = f"{count} request{'s' if count != 1 else ''} waiting for your decision"
    refresh = action_execute("Refresh", Verb.PENDING_LIST, {"list": "pending"})
    return fit_card(body, actions=[refresh], summary=summary, keep_last=0)
