"""Teams at parity with the Slack approval features, over the same real processes (the Bot
Connector emulator, `serve --teams` with production auth, redis-server, fake AWS, a worker):

- Deny asks why: the reason typed in the Deny form goes through the same decision flow as
  Slack's modal; too short is refused, the requester is refused whatever they type, and
  the request is redrawn for everyone with the reason.
- `pending` in a personal chat lists the requests with Approve/Deny: the requester sees no
  buttons on their own request and is refused if a click arrives anyway; an approver's
  Approve there runs the same job as on the request.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.teams.pending import PERSONAL_ONLY
from bot.teams.verbs import Verb, deny_reason_input
from sandbox.stack import Stack
from sandbox.teams_connector.client import TeamsClient
from tests.integration.frontends.conftest import _PARENTS
from tests.integration.frontends.drivers import (
    TEAMS_USERS,
    WON,
    Button,
    TeamsFrontEnd,
    plain,
    wait_for,
)
from tests.integration.remediation.flow import events, stored, wait_state
from tests.unit.teams.card_checks import walk

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("frontends-stack")]
GROUP, RULE = "orders-prod", "CW-401"
REASON = "Not during the sale; retry Monday."


@pytest.fixture
def teams(stack: Stack) -> TeamsFrontEnd:
    return TeamsFrontEnd(stack)


def _parent(teams: TeamsFrontEnd) -> Any:
    if "teams" not in _PARENTS:
        _PARENTS["teams"] = teams.run_audit()
    return _PARENTS["teams"]


def _fresh_request(teams: TeamsFrontEnd, parent: Any, stack: Stack) -> tuple[str, Any]:
    """A new fix request for GROUP's RULE finding, asked by the engineer; its posted card."""
    known = {p["id"] for p in teams._posted()}
    answer = teams.click(teams.finding_button(parent, GROUP, RULE, "request_fix"), "engineer")
    assert "Preparing a fix" in answer, answer

    def new_request() -> Any:
        for posted in teams._replies(parent):
            card = teams._card(posted)
            verbs = {a.get("verb") for a in walk(card)}
            if posted["id"] not in known and Verb.APPROVE in verbs and RULE in plain(card):
                return posted
        return None

    posted = wait_for(new_request, what=f"a new Teams request for {RULE} on {GROUP}")
    request_id = next(
        a["data"]["request_id"] for a in walk(teams._card(posted)) if a.get("verb") == Verb.APPROVE
    )
    assert stored(stack, request_id).state == "pending"
    return request_id, posted


def _now(teams: TeamsFrontEnd, posted: Any) -> Any:
    return next(p for p in teams._posted() if p["id"] == posted["id"])


def test_deny_asks_why_and_shows_the_reason_to_everyone(teams: TeamsFrontEnd, stack: Stack) -> None:
    parent = _parent(teams)
    request_id, posted = _fresh_request(teams, parent, stack)
    card = teams._card(posted)
    (deny_form,) = [a for a in walk(card) if a.get("type") == "Action.ShowCard" and a["title"] == "Deny…"]  # fmt: skip
    field = deny_reason_input(request_id)
    assert [n["id"] for n in walk(deny_form["card"]) if n.get("type") == "Input.Text"] == [field]
    (approve_look,) = [a for a in walk(card) if a.get("type") == "Action.ShowCard" and a["title"] == "Approve…"]  # fmt: skip
    assert "Approve and change AWS?" in plain(approve_look) and GROUP in plain(approve_look)

    deny = Button(posted, Verb.DENY, {"verb": Verb.DENY, "request_id": request_id})
    with_reason = Button(posted, Verb.DENY, {**deny.value, field: REASON})
    versions = _now(teams, posted)["versions"]
    assert "four-eyes" in teams.click(with_reason, "engineer")  # the requester, reason or not
    short = Button(posted, Verb.DENY, {**deny.value, field: " no "})
    assert teams.click(short, "security") == "Give a reason of 5 characters or more."
    assert "Give a reason" in teams.click(deny, "security")  # a Deny with no form at all
    assert stored(stack, request_id).state == "pending"
    assert _now(teams, posted)["versions"] == versions  # refusals leave the card as it was

    assert teams.click(with_reason, "security") == WON
    denied = wait_state(stack, request_id, "denied")
    assert denied.decision_reason == REASON and denied.decided_by == TEAMS_USERS["security"].aad_object_id  # fmt: skip
    assert "request.denied" in events(stack, request_id)

    def redrawn() -> Any:
        now = _now(teams, posted)
        return now if "Reason:" in plain(teams._card(now)) else None

    shown = teams._card(wait_for(redrawn, what="the denied request redrawn for everyone"))
    assert REASON in plain(shown) and "Denied by Sam Security" in plain(shown)
    assert not [a for a in walk(shown) if str(a.get("type", "")).startswith("Action.")]


def _pending(client: TeamsClient, teams: TeamsFrontEnd, user: str) -> Any:
    person = TEAMS_USERS[user]
    activity = client.message_activity("pending", conversation=client.personal(person), person=person)  # fmt: skip
    assert client.send(activity).status in (200, 202)
    return teams._reply_to(activity["id"])


def _personal_click(
    client: TeamsClient, card: Any, user: str, verb: str, data: dict[str, str]
) -> dict[str, Any]:
    person = TEAMS_USERS[user]
    activity = client.invoke_activity(
        verb, {"verb": verb, **data}, reply_to_id=card["id"],
        conversation=client.personal(person), person=person,
    )  # fmt: skip
    answer = client.send(activity)
    assert answer.status == 200, answer
    return answer.json()  # type: ignore[no-any-return]


def test_pending_in_a_personal_chat_keeps_four_eyes(teams: TeamsFrontEnd, stack: Stack) -> None:
    parent = _parent(teams)
    request_id, posted = _fresh_request(teams, parent, stack)
    client = teams.client
    assert PERSONAL_ONLY in teams.ask("pending")  # a channel shows no list

    own = _pending(client, teams, "engineer")
    own_card = teams._card(own)
    assert request_id in plain(own_card) and "Your requests" in plain(own_card)
    assert not [a for a in walk(own_card) if a.get("data", {}).get("request_id") == request_id]
    forged = _personal_click(client, own, "engineer", Verb.PENDING_APPROVE, {"request_id": request_id})  # fmt: skip
    assert "four-eyes" in plain(forged["value"])
    assert stored(stack, request_id).state == "pending"

    listed = _pending(client, teams, "security")
    buttons = [a for a in walk(teams._card(listed)) if a.get("data", {}).get("request_id") == request_id]  # fmt: skip
    assert {b["verb"] for b in buttons} == {Verb.PENDING_APPROVE, Verb.PENDING_DENY}
    # a click that claims to come from the list but arrives from the channel counts for nothing
    channel_activity = client.invoke_activity(
        Verb.PENDING_APPROVE, {"verb": Verb.PENDING_APPROVE, "request_id": request_id},
        reply_to_id=posted["id"], person=TEAMS_USERS["security"],
    )  # fmt: skip
    assert "personal chat" in client.send(channel_activity).json()["value"]
    assert stored(stack, request_id).state == "pending"

    answer = _personal_click(client, listed, "security", Verb.PENDING_APPROVE, {"request_id": request_id})  # fmt: skip
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"  # the list, drawn again
    assert "Approved." in plain(answer["value"])
    assert request_id not in plain(answer["value"]).split("Approved.", 1)[1]
    done = wait_state(stack, request_id, "done", "failed", timeout=90)
    assert done.state == "done", done.outcome
    assert done.decided_by == TEAMS_USERS["security"].aad_object_id
    # the request in the channel thread is redrawn for everyone, as after a click on it
    wait_for(
        lambda: "Done." in plain(teams._card(_now(teams, posted))),
        what="the request card redrawn after the list's Approve",
    )
