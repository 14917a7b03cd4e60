"""Action.Execute clicks: which card was clicked, and refusals in the flows' own words."""

from __future__ import annotations

from datetime import UTC, datetime

import fakeredis

from bot.teams.approvers import EntraApproverDirectory, static_fetcher
from bot.teams.clicks import Click, answer_click, clicked_message
from bot.teams.dispatch import TeamsActor
from bot.teams.verbs import REASON_INPUT, UNTIL_INPUT, Verb
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
ACTOR = TeamsActor("tenant", "6f1c0c3e-0000-4000-8000-00000000a001", "Al", "19:c@thread.tacv2", "channel")  # fmt: skip


def ctx() -> FlowContext:
    connection = fakeredis.FakeRedis()
    config = AppConfig()
    return FlowContext(
        connection=connection,
        config=config,
        notifiers=Notifiers({}),
        directory=EntraApproverDirectory(static_fetcher({}), connection, config.teams),
        workspace="tenant",
        clock=lambda: NOW,
    )


def click(verb: str, **data: str) -> Click:
    clicked = clicked_message(ACTOR, "19:c@thread.tacv2;messageid=100", "105")
    return Click(verb=verb, data=data, actor=ACTOR, clicked=clicked)


def test_the_clicked_card_is_named_by_channel_thread_and_activity_id() -> None:
    in_channel = clicked_message(ACTOR, "19:c@thread.tacv2;messageid=100", "105")
    assert (in_channel.conversation.channel, in_channel.conversation.thread) == ("19:c@thread.tacv2", "100")  # fmt: skip
    assert in_channel.message_id == "105" and in_channel.conversation.platform == "teams"
    in_chat = clicked_message(ACTOR, "a:chat-1", "7")
    assert in_chat.conversation.thread == "" and in_chat.as_thread.thread == "7"


def test_unknown_verbs_and_malformed_ids_change_nothing() -> None:
    context = ctx()
    assert answer_click(context, click("launch")).message == "That button is not one of ours."
    assert answer_click(context, click(Verb.APPROVE, request_id="../x")).message == (
        "That button is not one of ours."
    )
    assert "no longer known" in answer_click(context, click(Verb.DENY, request_id="abcdef12")).message  # fmt: skip
    assert "not one of ours" in answer_click(context, click(Verb.FINALIZE, rotation_id="!")).message  # fmt: skip
    assert not context.connection.keys("cw:approval*")


def test_accept_risk_form_is_checked_like_the_slack_modal() -> None:
    context = ctx()
    short = answer_click(
        context,
        click(
            Verb.SUBMIT_RISK, finding_id="f1", **{REASON_INPUT: "meh", UNTIL_INPUT: "2027-01-01"}
        ),
    )
    assert "at least" in short.message and short.card is None
    past = answer_click(
        context,
        click(
            Verb.SUBMIT_RISK,
            finding_id="f1",
            **{REASON_INPUT: "a real reason here", UNTIL_INPUT: "2026-01-01"},
        ),
    )
    assert "must be in the future" in past.message


def test_a_finding_click_on_an_expired_finding_says_so() -> None:
    answer = answer_click(ctx(), click(Verb.EXPLAIN, finding_id="abc123"))
    assert "expired" in answer.message and answer.reply is None
