"""A scope naming nothing in Teams: close matches and "Scan anyway" are buttons, as on Slack
(asking again with the same words would be refused again)."""

from __future__ import annotations

from bot.teams.cards.notices import render_scope_problem_card
from bot.teams.clicks import Click, answer_click
from bot.teams.verbs import Verb
from posture.conversations import ConversationRef, MessageRef, Platform
from tests.unit.teams.card_checks import actions, all_text, assert_valid_card
from tests.unit.teams.test_commands import ACTOR, flow_context


def test_the_answer_offers_each_close_match_and_scan_anyway() -> None:
    card = render_scope_problem_card(
        "No replication group named `ordres-prod` was seen in the last scan.",
        ("orders-prod",),
        "ordres-prod",
    )
    assert_valid_card(card)
    assert "`" not in all_text(card)
    buttons = [(a["title"], a["data"]["scope"], a["data"]["anyway"]) for a in actions(card)]
    assert buttons == [
        ("audit orders-prod", "orders-prod", ""),
        ("Scan anyway", "ordres-prod", "1"),
    ]
    assert {a["verb"] for a in actions(card)} == {Verb.AUDIT}


def test_a_scope_too_long_to_carry_gets_no_button() -> None:
    card = render_scope_problem_card("nothing matches", (), "x" * 300)
    assert not actions(card)


def _click(data: dict[str, str]) -> str:
    where = ConversationRef(
        platform=Platform.TEAMS, workspace="tenant", channel=ACTOR.conversation_id
    )
    click = Click(Verb.AUDIT, data, ACTOR, MessageRef(conversation=where, message_id="1"))
    return answer_click(flow_context(), click).message


def test_scan_anyway_queues_the_audit_and_bad_text_is_answered_not_run() -> None:
    assert "queued" in _click({"scope": "orders-prod", "anyway": "1"})
    assert "not an AWS region" in _click({"scope": "region=mars-1", "anyway": "1"})
    assert "not one of ours" in _click({"scope": "help", "anyway": ""})
