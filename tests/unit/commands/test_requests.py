"""Slash-command parsing: good input becomes typed requests, bad input a usage answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.errors import UsageError
from commands.requests import (
    AuditLogRequest,
    AuditRequest,
    ExplainRequest,
    HelpRequest,
    RotateTokenRequest,
    parse_command,
)


def test_audit_with_full_scope() -> None:
    request = parse_command(
        "/cache-audit",
        "orders-prod region=eu-west-1 account=123456789012 tag=team=pay=ments engine=Valkey",
    )
    assert isinstance(request, AuditRequest)
    scope = request.scope
    assert scope.resource_ids == ("orders-prod",)
    assert scope.regions == ("eu-west-1",)
    assert scope.accounts == ("123456789012",)
    assert scope.tags == (("team", "pay=ments"),)
    assert scope.engines == ("valkey",)


def test_empty_audit_means_everything() -> None:
    request = parse_command("/cache-audit", "   ")
    assert isinstance(request, AuditRequest)
    assert request.scope.describe() == "everything"


def test_canonical_scope_ignores_word_order() -> None:
    a = parse_command("/cache-audit", "region=eu-west-1 orders")
    b = parse_command("/cache-audit", "orders region=eu-west-1")
    assert isinstance(a, AuditRequest) and isinstance(b, AuditRequest)
    assert a.scope.canonical() == b.scope.canonical() == "orders region=eu-west-1"


def test_explain_resolves_alias_to_its_target() -> None:
    assert parse_command("/cache-explain", "elasticache.5") == ExplainRequest(target_id="CW-101")
    assert parse_command("/cache-explain", "ec-014") == ExplainRequest(target_id="EC-014")


def test_rotate_takes_one_group_and_optional_location() -> None:
    request = parse_command("/cache-rotate-token", "orders-prod region=us-east-1")
    assert request == RotateTokenRequest(group_id="orders-prod", region="us-east-1")


def test_audit_log_limit() -> None:
    assert parse_command("/cache-audit", "log 5") == AuditLogRequest(limit=5)
    assert parse_command("/cache-audit", "log") == AuditLogRequest(limit=20)


def test_help_topics() -> None:
    assert parse_command("/cache-help", "cache-audit") == HelpRequest(topic="/cache-audit")
    assert parse_command("/cache-help", "") == HelpRequest(topic=None)
    assert parse_command("/cache-audit", "help") == HelpRequest(topic="/cache-audit")


BAD_INPUT = [
    ("/cache-audit", "region=mars-1", "not an AWS region"),
    ("/cache-audit", "account=12345", "12 digits"),
    ("/cache-audit", "engine=mysql", "not an engine"),
    ("/cache-audit", "tag=novalue", "tag=<key>=<value>"),
    ("/cache-audit", "colour=blue", "scope word `colour=`"),
    ("/cache-audit", "<!channel>", "not a group or cluster id"),
    ("/cache-audit", "<@U123|erin>", "not a group or cluster id"),
    ("/cache-audit", "ordérs-prød", "not a group or cluster id"),
    ("/cache-audit", "x" * 1001, "limit is 1000"),
    ("/cache-audit", "a\x00b", "control characters"),
    ("/cache-audit", "log 9999", "from 1 to 200"),
    ("/cache-explain", "", "Which rule?"),
    ("/cache-explain", "EC-14", "Did you mean EC-014?"),
    ("/cache-explain", "CW-101 CW-102", "one id at a time"),
    ("/cache-explain", "🔥", "No rule or control"),
    ("/cache-rotate-token", "", "exactly one replication group"),
    ("/cache-rotate-token", "a b", "exactly one replication group"),
    ("/cache-rotate-token", "a region=eu-west-1 region=us-east-1", "at most one region="),
    ("/cache-nope", "", "don't know the command"),
]


@pytest.mark.parametrize(("command", "text", "expected"), BAD_INPUT)
def test_bad_input_gets_usage_answer(command: str, text: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_command(command, text)
    assert expected in caught.value.message
    assert caught.value.usage.strip()


@settings(max_examples=300, deadline=None)
@given(
    command=st.sampled_from(
        ["/cache-audit", "/cache-explain", "/cache-rotate-token", "/cache-help"]
    ),
    text=st.text(max_size=300),
)
def test_parsing_never_raises_anything_but_usage_error(command: str, text: str) -> None:
    try:
        request = parse_command(command, text)
    except UsageError as exc:
        assert exc.message and exc.usage
    else:
        assert request.kind in {"audit", "explain", "help", "rotate", "audit_log"} | {
            "subscribe",
            "unsubscribe",
            "subscriptions",
            "digest_now",
        }
