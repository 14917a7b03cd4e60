"""Teams text is parsed by the same commands/ parsers as Slack; dispatch is honest."""

from __future__ import annotations

import re
import typing
from dataclasses import replace
from datetime import UTC, datetime

import fakeredis
import pytest

from bot.teams.approvers import EntraApproverDirectory, static_fetcher
from bot.teams.commands import MANIFEST_COMMANDS, parse_teams_text, strip_mentions, teams_wording
from bot.teams.dispatch import HANDLERS, TeamsActor, answer
from bot.teams.pending import is_pending_command
from commands.errors import UsageError
from commands.requests import ExplainRequest, Request, SubscriptionRequest, parse_command
from tests.unit.teams.card_checks import all_text, assert_valid_card
from workers.digest.flows import answer_subscription
from workers.digest.subscriptions import SubscriptionStore
from workers.platform.config import parse_config
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers
from workers.trail.log import AuditLog

ACTOR = TeamsActor("tenant", "aad-alice", "Alice", "19:c@thread.tacv2", "channel")

SAME_AS_SLASH = [
    ("audit", "/cache-audit", ""),
    (
        "audit orders-prod region=eu-west-1 engine=valkey",
        "/cache-audit",
        "orders-prod region=eu-west-1 engine=valkey",
    ),
    (
        "subscribe daily 09:00 tz=Europe/Berlin orders",
        "/cache-audit",
        "subscribe daily 09:00 tz=Europe/Berlin orders",
    ),
    ("unsubscribe", "/cache-audit", "unsubscribe"),
    ("subscriptions", "/cache-audit", "subscriptions"),
    ("digest now", "/cache-audit", "digest now"),
    ("log 5", "/cache-audit", "log 5"),
    ("explain CW-101", "/cache-explain", "CW-101"),
    ("explain ec-014", "/cache-explain", "ec-014"),
    ("rotate-token orders region=us-east-1", "/cache-rotate-token", "orders region=us-east-1"),
    ("help", "/cache-help", ""),
    ("help audit", "/cache-help", "cache-audit"),
]


@pytest.mark.parametrize(("text", "command", "rest"), SAME_AS_SLASH)
def test_same_request_as_the_slash_command(text: str, command: str, rest: str) -> None:
    assert parse_teams_text(f"<at>cachewarden</at> {text}") == parse_command(command, rest)
    assert parse_teams_text(text) == parse_command(command, rest)  # personal chat: no mention


BAD = [
    ("audit region=mars", "/cache-audit", "region=mars"),
    ("explain", "/cache-explain", ""),
    ("explain CW-1 CW-2", "/cache-explain", "CW-1 CW-2"),
    ("explain NOPE-1", "/cache-explain", "NOPE-1"),
    ("rotate-token a b", "/cache-rotate-token", "a b"),
    ("subscribe weekly", "/cache-audit", "subscribe weekly"),
    ("log 999", "/cache-audit", "log 999"),
]


@pytest.mark.parametrize(("text", "command", "rest"), BAD)
def test_same_answer_to_bad_input_worded_for_mentions(text: str, command: str, rest: str) -> None:
    with pytest.raises(UsageError) as slack:
        parse_command(command, rest)
    with pytest.raises(UsageError) as teams:
        parse_teams_text(text)
    assert teams.value.message == teams_wording(slack.value.message)
    assert teams.value.usage == teams_wording(slack.value.usage)
    assert "/cache-" not in teams.value.usage


def test_unknown_words_get_the_help_text() -> None:
    with pytest.raises(UsageError) as caught:
        parse_teams_text("<at>cachewarden</at> frobnicate now")
    assert "frobnicate" in caught.value.message
    assert "explain <id>" in caught.value.usage


def test_control_characters_and_long_text_are_refused() -> None:
    with pytest.raises(UsageError):
        parse_teams_text("audit \x07")
    with pytest.raises(UsageError):
        parse_teams_text("audit " + "a" * 2000)


def test_other_mentions_are_removed_before_parsing() -> None:
    assert strip_mentions("<at>Bob</at>  explain <at>cachewarden</at> CW-101") == "explain CW-101"


def test_teams_wording_rewrites_slash_commands() -> None:
    assert teams_wording("Usage: /cache-audit [scope]") == "Usage: audit [scope]"
    assert teams_wording("  /cache-help [command]  x") == "  help [command]  x"


NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
APPROVER = "6f1c0c3e-0000-4000-8000-00000000a001"


def unescaped(card: dict[str, object]) -> str:
    return re.sub(r"\\(.)", r"\1", all_text(card))


def flow_context(config: str = "") -> FlowContext:
    connection = fakeredis.FakeRedis()
    parsed = parse_config(config)
    return FlowContext(
        connection=connection,
        config=parsed,
        notifiers=Notifiers({}),
        directory=EntraApproverDirectory(static_fetcher({}), connection, parsed.teams),
        workspace="tenant",
        clock=lambda: NOW,
    )


def test_help_and_explain_are_answered() -> None:
    help_card = answer(parse_teams_text("help"), ACTOR, flow_context(), "cid")
    assert_valid_card(help_card)
    assert "rotate-token <group>" in all_text(help_card)
    assert "/cache-" not in all_text(help_card)
    explain = answer(ExplainRequest(target_id="CW-101"), ACTOR, flow_context(), "cid")
    assert_valid_card(explain)
    assert all_text(explain).startswith("CW-101 ")


def test_the_actor_is_neutral_with_the_entra_object_id() -> None:
    actor = TeamsActor("tenant", "6F1C0C3E-AAAA-4000-8000-00000000A001", "Al", "19:c", "channel")
    neutral = actor.neutral()
    assert (neutral.platform, neutral.workspace, neutral.channel) == ("teams", "tenant", "19:c")
    assert neutral.user == "6f1c0c3e-aaaa-4000-8000-00000000a001"


@pytest.mark.parametrize(
    "text", ["subscribe daily 09:00 tz=Europe/Berlin", "unsubscribe", "subscriptions"]
)
def test_subscriptions_answer_in_the_words_of_the_shared_flow(text: str) -> None:
    request = parse_teams_text(text)
    card = answer(request, ACTOR, flow_context(), "cid")
    assert isinstance(request, SubscriptionRequest)
    expected = answer_subscription(flow_context(), ACTOR.neutral(), request)
    assert expected.text in unescaped(card)


def test_subscribe_stores_the_teams_conversation() -> None:
    ctx = flow_context()
    answer(parse_teams_text("subscribe daily 09:00"), ACTOR, ctx, "cid")
    stored = SubscriptionStore(ctx.connection).get(ACTOR.conversation_id)
    assert stored is not None and stored.created_by == "aad-alice"


def test_commands_outside_allowed_channels_are_refused_by_the_flow() -> None:
    ctx = flow_context('[bot]\nallowed_channels = ["19:other@thread.tacv2"]\n')
    card = answer(parse_teams_text("audit"), ACTOR, ctx, "cid")
    assert "not enabled in this channel" in all_text(card)
    assert not list(ctx.connection.scan_iter("cw:run:*"))


def test_the_audit_log_is_for_approvers_in_a_personal_chat() -> None:
    config = f'[teams]\napprover_users = ["{APPROVER}"]\n'
    ctx = flow_context(config)
    AuditLog(ctx.connection).append("request.created", actor="someone", request_id="r1")
    in_channel = answer(parse_teams_text("log"), ACTOR, ctx, "cid")
    assert "personal chat" in all_text(in_channel)
    personal = replace(ACTOR, conversation_type="personal", conversation_id="a:chat-1")
    refused = answer(parse_teams_text("log"), personal, ctx, "cid")
    assert "approvers only" in all_text(refused)
    approver = replace(personal, user_aad_id=APPROVER.upper())
    shown = answer(parse_teams_text("log 5"), approver, ctx, "cid")
    assert "request.created" in unescaped(shown)


def test_every_request_kind_has_a_handler() -> None:
    kinds = set(typing.get_args(Request))
    flat = set()
    for kind in kinds:
        flat |= set(typing.get_args(kind)) or {kind}
    assert flat == set(HANDLERS)


def test_manifest_commands_all_parse() -> None:
    for title, _ in MANIFEST_COMMANDS:
        if title == "pending":  # answered before parsing (bot.teams.pending), not a Request
            assert is_pending_command(title) and is_pending_command("Approvals")
            continue
        words = {
            "rotate-token": "rotate-token orders",
            "subscribe": "subscribe daily 09:00",
            "explain": "explain CW-101",
        }
        parse_teams_text(words.get(title, title))
