"""Entra approvers: configured object ids plus group members, cached, failing closed."""

from __future__ import annotations

from typing import Any

import fakeredis
import pytest

from bot.teams.approvers import (
    CACHE_SECONDS,
    EntraApproverDirectory,
    GraphGroupFetcher,
    GroupLookupError,
    static_fetcher,
)
from workers.platform.config import ConfigError, TeamsConfig, parse_config

ALICE = "6f1c0c3e-0000-4000-8000-00000000a001"
BOB = "6f1c0c3e-0000-4000-8000-00000000b002"
GROUP = "0b6e2d4a-0000-4000-8000-0000000000c1"


def test_users_and_group_members_may_decide_others_may_not() -> None:
    teams = TeamsConfig(approver_users=(ALICE,), approver_groups=(GROUP,))
    directory = EntraApproverDirectory(
        static_fetcher({GROUP: frozenset({BOB})}), fakeredis.FakeRedis(), teams
    )
    approvers = directory.approvers()
    assert approvers.allows(ALICE) and approvers.allows(BOB)
    assert not approvers.allows("6f1c0c3e-0000-4000-8000-00000000f001")


def test_membership_is_cached_and_a_failing_lookup_adds_nobody() -> None:
    calls: list[str] = []

    def flaky(group_id: str) -> frozenset[str]:
        calls.append(group_id)
        raise GroupLookupError("Graph answered 403")

    connection = fakeredis.FakeRedis()
    teams = TeamsConfig(approver_groups=(GROUP,))
    assert not EntraApproverDirectory(flaky, connection, teams).approvers().allows(BOB)
    good = static_fetcher({GROUP: frozenset({BOB})})
    assert EntraApproverDirectory(good, connection, teams).approvers().allows(BOB)
    assert connection.ttl(f"cw:teams:approvers:{GROUP}") <= CACHE_SECONDS
    # cached now: a failing Graph does not remove a member before the cache expires
    assert EntraApproverDirectory(flaky, connection, teams).approvers().allows(BOB)
    assert calls == [GROUP]


def test_config_takes_guids_only_and_lowercases_them() -> None:
    config = parse_config(f'[teams]\napprover_users = ["{ALICE.upper()}"]\n')
    assert config.teams.approver_users == (ALICE,)
    with pytest.raises(ConfigError, match="not an Entra object id"):
        parse_config('[teams]\napprover_groups = ["S_SECURITY"]\n')


class FakeGraph:
    def __init__(self, pages: list[dict[str, Any]], status: int = 200) -> None:
        self.pages, self.status = pages, status
        self.urls: list[str] = []

    def get(self, url: str, headers: dict[str, str], timeout: float) -> Any:
        self.urls.append(url)
        assert headers["Authorization"] == "Bearer graph-token"
        graph = self

        class Response:
            status_code = graph.status

            def json(self) -> dict[str, Any]:
                return graph.pages.pop(0)

        return Response()


class Tokens:
    def token(self) -> str:
        return "graph-token"


def test_graph_fetcher_follows_next_links_and_reads_user_ids() -> None:
    graph = FakeGraph(
        [
            {"value": [{"id": ALICE.upper()}], "@odata.nextLink": "https://graph.example/next"},
            {"value": [{"id": BOB}]},
        ]
    )
    fetch = GraphGroupFetcher(Tokens(), session=graph)  # type: ignore[arg-type]
    assert fetch(GROUP) == frozenset({ALICE, BOB})
    assert graph.urls[0].startswith(
        f"https://graph.microsoft.com/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user"
    )
    assert graph.urls[1] == "https://graph.example/next"


def test_graph_refusal_is_a_lookup_error() -> None:
    fetch = GraphGroupFetcher(Tokens(), session=FakeGraph([], status=403))  # type: ignore[arg-type]
    with pytest.raises(GroupLookupError, match="403"):
        fetch(GROUP)
