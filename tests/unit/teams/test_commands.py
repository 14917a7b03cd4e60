"""Teams text is parsed by the same commands/ parsers as Slack; dispatch is honest."""

from __future__ import annotations

import typing

import pytest

from bot.teams.commands import MANIFEST_COMMANDS, parse_teams_text, strip_mentions, teams_wording
from bot.teams.dispatch import HANDLERS, WAITING_FOR_FLOWS, TeamsActor, answer
from commands.errors import UsageError
from commands.requests import ExplainRequest, HelpRequest, Request, parse_command
from tests.unit.teams.card_checks import all_text, assert_valid_card

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


def test_help_and_explain_are_answered() -> None:
    help_card = answer(parse_teams_text("help"), ACTOR)
    assert_valid_card(help_card)
    assert "rotate-token <group>" in all_text(help_card)
    assert "/cache-" not in all_text(help_card)
    explain = answer(ExplainRequest(target_id="CW-101"), ACTOR)
    assert_valid_card(explain)
    assert all_text(explain).startswith("CW-101 ")


@pytest.mark.parametrize(
    "text",
    [
        "audit",
        "rotate-token orders",
        "log",
        "subscribe daily 09:00",
        "unsubscribe",
        "subscriptions",
        "digest now",
    ],
)
def test_commands_waiting_for_flows_say_so_and_start_nothing(text: str) -> None:
    card = answer(parse_teams_text(text), ACTOR)
    assert_valid_card(card)
    assert "not wired to Teams yet, so nothing was started" in all_text(card)


def test_every_request_kind_is_either_answered_or_listed_as_waiting() -> None:
    kinds = set(typing.get_args(Request))
    flat = set()
    for kind in kinds:
        flat |= set(typing.get_args(kind)) or {kind}
    assert flat == set(HANDLERS) | set(WAITING_FOR_FLOWS)
    assert not set(HANDLERS) & set(WAITING_FOR_FLOWS)
    assert set(HANDLERS) == {HelpRequest, ExplainRequest}


def test_manifest_commands_all_parse() -> None:
    for title, _ in MANIFEST_COMMANDS:
        words = {
            "rotate-token": "rotate-token orders",
            "subscribe": "subscribe daily 09:00",
            "explain": "explain CW-101",
        }
        parse_teams_text(words.get(title, title))
