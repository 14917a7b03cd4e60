"""check_scope: which scopes name nothing, and what the user may have meant."""

from __future__ import annotations

import pytest

from commands.errors import UsageError
from commands.requests import parse_command
from commands.scope import Scope
from commands.scope_check import KnownScope, check_scope

KNOWN = KnownScope(
    resources={
        "orders-prod": "111111111111/us-east-1",
        "orders-stage": "111111111111/us-east-1",
        "sessions": "111111111111/eu-west-1",
    },
    regions=frozenset({"us-east-1", "us-east-2", "eu-west-1"}),
    accounts=frozenset({"111111111111"}),
    scanned_at="2026-12-07T09:00:00+00:00",
)


def test_a_known_scope_passes() -> None:
    assert check_scope(Scope(resource_ids=("orders-prod",)), KNOWN) is None
    assert check_scope(Scope(regions=("eu-west-1",)), KNOWN) is None
    assert check_scope(Scope(), KNOWN) is None


def test_an_unknown_id_gets_close_matches_as_whole_scopes() -> None:
    problem = check_scope(Scope(resource_ids=("orders-prd",), engines=("redis",)), KNOWN)
    assert problem is not None
    assert "orders-prd" in problem.message and "nothing was queued" in problem.message
    assert "(7 Dec 09:00 UTC)" in problem.message
    assert problem.suggestions[0] == "orders-prod engine=redis"


def test_one_known_id_among_several_is_enough() -> None:
    assert check_scope(Scope(resource_ids=("orders-prod", "typo")), KNOWN) is None


def test_ids_are_not_judged_before_any_scan() -> None:
    never = KnownScope(regions=KNOWN.regions)
    assert check_scope(Scope(resource_ids=("anything",)), never) is None


def test_unknown_region_and_account() -> None:
    region = check_scope(Scope(regions=("us-east-9",)), KNOWN)
    assert region is not None and "region=us-east-1" in region.suggestions
    account = check_scope(Scope(accounts=("111111111112",)), KNOWN)
    assert account is not None and account.suggestions == ("account=111111111111",)


def test_an_id_outside_the_named_region_points_to_its_home() -> None:
    problem = check_scope(Scope(resource_ids=("sessions",), regions=("us-east-1",)), KNOWN)
    assert problem is not None
    assert problem.suggestions == ("sessions region=eu-west-1",)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("regoin=eu-west-1 orders-prod", "region=eu-west-1 orders-prod"),
        ("acount=123456789012", "account=123456789012"),
        ("engin=valkey", "engine=valkey"),
    ],
)
def test_scope_key_typos_suggest_the_key(text: str, suggestion: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_command("/cache-audit", text)
    assert caught.value.suggestions[0] == suggestion
    assert "Did you mean" in caught.value.message


def test_a_typo_is_not_matched_to_a_key_its_value_cannot_fill() -> None:
    with pytest.raises(UsageError) as caught:
        parse_command("/cache-audit", "regoin=eu-west-1")
    assert all(not s.startswith("engine=") for s in caught.value.suggestions)


@pytest.mark.parametrize("text", ["engine=memorydb", "kind=dax", "service=rds"])
def test_other_services_are_named_unsupported(text: str) -> None:
    with pytest.raises(UsageError, match="is not supported: cachewarden audits ElastiCache"):
        parse_command("/cache-audit", text)
