"""Teams-specific paths over the same real processes: the accept-risk card form (Slack uses a
modal for it), and the form replaced for everyone once it is sent."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.teams.verbs import REASON_INPUT, UNTIL_INPUT, Verb
from posture.rotation import Phase
from sandbox.stack import Stack
from sandbox.teams_connector.client import CHANNEL as TEAMS_CHANNEL
from tests.integration.frontends.conftest import _PARENTS
from tests.integration.frontends.drivers import WON, Button, TeamsFrontEnd, plain, wait_for
from tests.integration.remediation.flow import events, wait_state
from tests.integration.rotation.flow import (
    create_auth_group,
    secret_value,
    tokens_in_aws,
    unique,
    wait_phase,
)
from tests.integration.rotation.leaks import places_holding
from tests.unit.teams.card_checks import walk

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("frontends-stack")]


@pytest.fixture
def teams(stack: Stack) -> TeamsFrontEnd:
    return TeamsFrontEnd(stack)


def test_accept_risk_form_opens_a_request_that_an_approver_decides(
    teams: TeamsFrontEnd, stack: Stack
) -> None:
    parent: Any = _PARENTS.get("teams") or teams.run_audit()
    _PARENTS["teams"] = parent
    before = teams.reply_count(parent)
    answer = teams.click(teams.finding_button(parent, "orders-prod", "CW-101", "accept_risk"), "engineer")  # fmt: skip
    assert "form posted in this thread" in answer

    def form() -> Any:
        for posted in teams._replies(parent)[before:]:
            submit = [a for a in walk(teams._card(posted)) if a.get("verb") == Verb.SUBMIT_RISK]
            if submit:
                return posted, submit[0]
        return None

    posted, submit = wait_for(form, what="the accept-risk form in the thread")
    inputs = {n["id"]: n["type"] for n in walk(teams._card(posted)) if str(n.get("type", "")).startswith("Input.")}  # fmt: skip
    assert inputs == {REASON_INPUT: "Input.Text", UNTIL_INPUT: "Input.Date"}

    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    too_short = {**submit["data"], REASON_INPUT: "meh", UNTIL_INPUT: until}
    assert "at least" in teams.click(Button(posted, Verb.SUBMIT_RISK, too_short), "engineer")
    filled = {**submit["data"], REASON_INPUT: "Cluster is retired next sprint", UNTIL_INPUT: until}  # fmt: skip
    sent = teams.click(Button(posted, Verb.SUBMIT_RISK, filled), "engineer")
    assert "Accept-risk request sent" in sent
    # the form is replaced for everyone, so nobody submits it twice
    wait_for(
        lambda: next(p for p in teams._posted() if p["id"] == posted["id"])["versions"] == 2,
        what="the form replaced with update_activity",
    )
    request_id, approve, _ = teams.approval(parent, "orders-prod", "CW-101")
    assert "four-eyes" in teams.click(approve, "engineer")  # the requester
    assert teams.click(approve, "security") == WON
    done = wait_state(stack, request_id, "done")
    assert done.kind == "accept_risk" and done.origin.platform == "teams"
    assert "request.approved" in events(stack, request_id)


def _card_with_verb(
    teams: TeamsFrontEnd, verb: str, *, text: str = "", root: str | None = None
) -> Any:
    """The newest post (top level when root is None, else a reply under root) with a `verb` button."""

    def found() -> Any:
        for posted in reversed(teams._posted()):
            if posted["conversation"] != TEAMS_CHANNEL or posted["root"] != root:
                continue
            card = teams._card(posted)
            buttons = [a for a in walk(card) if a.get("verb") == verb]
            if buttons and text in plain(card):
                return posted, buttons[0]
        return None

    return wait_for(found, what=f"a {verb} button")


def test_rotation_from_teams_with_no_trace_of_either_token(
    teams: TeamsFrontEnd, stack: Stack
) -> None:
    group, old = unique("teams-rot"), f"Start-{uuid.uuid4().hex}"
    create_auth_group(stack, group, old)
    assert "Checking" in teams.ask(f"rotate-token {group}")

    posted, approve = _card_with_verb(teams, Verb.APPROVE, text=group)
    rotation_id = approve["data"]["request_id"]
    assert teams.click(Button(posted, Verb.APPROVE, approve["data"]), "security") == WON
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert (
        rotation.conversation.platform == "teams" and rotation.conversation.thread == posted["id"]
    )
    new = secret_value(stack, rotation.secrets[0].name, "AWSPENDING")
    assert new is not None and tokens_in_aws(stack, group) == [old, new]

    both, finalize = _card_with_verb(teams, Verb.FINALIZE, root=posted["id"])
    answer = teams.click(Button(both, Verb.FINALIZE, finalize["data"]), "engineer")
    assert "Finalize" in answer or "approv" in answer.lower()
    request, approve_set = _card_with_verb(teams, Verb.APPROVE, root=posted["id"])
    assert teams.click(Button(request, Verb.APPROVE, approve_set["data"]), "security") == WON
    done = wait_phase(stack, rotation_id, Phase.DONE, Phase.FAILED)
    assert done.phase is Phase.DONE, done.problem
    assert tokens_in_aws(stack, group) == [new]

    assert places_holding(stack, [old, new]) == []
    assert stack.teams is not None
    connector = json.dumps(stack.teams.snapshot())
    assert old not in connector and new not in connector
