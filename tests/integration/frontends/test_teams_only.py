"""Teams-specific paths over the same real processes: the accept-risk card form (Slack uses a
modal for it), and the form replaced for everyone once it is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.teams.verbs import REASON_INPUT, UNTIL_INPUT, Verb
from sandbox.stack import Stack
from tests.integration.frontends.conftest import _PARENTS
from tests.integration.frontends.drivers import WON, Button, TeamsFrontEnd, wait_for
from tests.integration.remediation.flow import events, wait_state
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
