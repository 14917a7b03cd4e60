"""Clicks on the Teams parity buttons reach the shared flows and answer in their words: the
rebuild form is checked against the finding's own rule, the list's buttons count only from a
personal chat, and a Deny needs its reason."""

from __future__ import annotations

from bot.teams.clicks import Click, answer_click, clicked_message
from bot.teams.dispatch import TeamsActor
from bot.teams.pending import NOT_HERE, PERSONAL_ONLY, is_pending_command, pending_card
from bot.teams.verbs import REBUILD_INPUT_PREFIX, Verb, deny_reason_input
from tests.unit.render.slack_checks import make_finding
from tests.unit.teams.card_checks import all_text
from tests.unit.teams.test_clicks import ACTOR, ctx
from workers.audit.store import AuditStore
from workers.platform.context import FlowContext

FINDING = "f1abc"
PERSONAL = TeamsActor(ACTOR.tenant_id, ACTOR.user_aad_id, "Al", "a:chat-al", "personal")


def click(verb: str, actor: TeamsActor = ACTOR, **data: str) -> Click:
    raw = f"{actor.conversation_id};messageid=100" if actor is ACTOR else actor.conversation_id
    return Click(verb=verb, data=data, actor=actor, clicked=clicked_message(actor, raw, "105"))


def with_finding(rule_id: str) -> FlowContext:
    context = ctx()
    finding = make_finding(rule_id=rule_id, resource_id="orders")
    AuditStore(context.connection).save_finding_refs({FINDING: finding})
    return context


def test_the_rebuild_form_is_checked_against_the_findings_own_rule() -> None:
    context = with_finding("CW-306")  # a new port
    bad = {f"{REBUILD_INPUT_PREFIX}port": "6379", f"{REBUILD_INPUT_PREFIX}kms_key_id": "x"}
    answer = answer_click(context, click(Verb.REBUILD_INPUTS, finding_id=FINDING, **bad))
    assert answer.message == "Give a port from 1024 to 65535, other than 6379 and 11211."
    assert not context.connection.keys("rq:job:*")  # nothing queued
    good = {f"{REBUILD_INPUT_PREFIX}port": "6380"}
    answer = answer_click(context, click(Verb.REBUILD_INPUTS, finding_id=FINDING, **good))
    assert answer.message.startswith("Preparing the rebuild of orders for CW-306")
    again = answer_click(context, click(Verb.REBUILD_INPUTS, finding_id=FINDING, **good))
    assert again.message == "A rebuild request for this finding is already being prepared."


def test_apply_anyway_and_rebuild_buttons_refuse_what_is_not_theirs() -> None:
    context = ctx()
    assert "expired" in answer_click(context, click(Verb.APPLY_ANYWAY, finding_id="nope")).message
    for verb in (Verb.REBUILD_CANCEL, Verb.REBUILD_DELETE_SOURCE):
        assert answer_click(context, click(verb, rebuild_id="../x")).message == (
            "That button is not one of ours."
        )
        unknown = answer_click(context, click(verb, rebuild_id="b" * 32)).message
        assert unknown == "This rebuild is no longer known."


def test_apply_anyway_queues_the_live_fix_once() -> None:
    context = with_finding("CW-401")
    first = answer_click(context, click(Verb.APPLY_ANYWAY, finding_id=FINDING))
    assert "anyway" in first.message and "drift" in first.message
    second = answer_click(context, click(Verb.APPLY_ANYWAY, finding_id=FINDING))
    assert second.message == "A fix request for this finding is already being prepared."


def test_the_pending_list_lives_in_a_personal_chat_only() -> None:
    context = ctx()
    assert is_pending_command(" Pending ") and not is_pending_command("pending now")
    assert PERSONAL_ONLY in all_text(pending_card(context, ACTOR))
    assert "Pending approvals" in all_text(pending_card(context, PERSONAL))
    from_channel = answer_click(context, click(Verb.PENDING_APPROVE, request_id="abcdef12"))
    assert from_channel.message == NOT_HERE and from_channel.card is None
    from_chat = answer_click(context, click(Verb.PENDING_APPROVE, PERSONAL, request_id="abcdef12"))
    assert "no longer known" in from_chat.message and from_chat.card is not None


def test_a_deny_without_a_reason_names_the_rule_and_changes_nothing() -> None:
    context = ctx()
    unknown = answer_click(context, click(Verb.DENY, request_id="abcdef12"))
    assert "no longer known" in unknown.message  # the request is looked at before the reason
    field = deny_reason_input("abcdef12")
    typed = answer_click(context, click(Verb.DENY, request_id="abcdef12", **{field: "a good reason"}))  # fmt: skip
    assert "no longer known" in typed.message
    assert not context.connection.keys("cw:approval*")
