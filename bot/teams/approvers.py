"""Who may decide from Teams: the Entra object ids in `[teams] approver_users` plus the
members of the Entra groups in `[teams] approver_groups` (`ApproverDirectory` for Teams).

Group members come from Microsoft Graph (`GET /v1.0/groups/{id}/transitiveMembers/
microsoft.graph.user?$select=id`, application permission GroupMember.Read.All, see
https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers) through an
injectable fetcher, and are cached in Redis for `CACHE_SECONDS`: someone removed from a
group can still decide for at most that long. A group Graph will not list adds nobody:
the check fails closed. Tests inject a static fetcher; nothing here runs without one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping

import redis
import requests

from bot.teams.credentials import AppTokenSource, TokenError
from posture.approvals import Approvers
from workers.platform.config import TeamsConfig

log = logging.getLogger(__name__)
CACHE_SECONDS = 60
GRAPH = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MAX_PAGES = 50  # 50 pages of 999: far beyond any approver group

GroupFetcher = Callable[[str], frozenset[str]]


class GroupLookupError(RuntimeError):
    """Graph did not list a group; safe to log (status and code only)."""


def _key(group_id: str) -> str:
    return f"cw:teams:approvers:{group_id}"


class GraphGroupFetcher:
    """Transitive user members of an Entra group, paged with @odata.nextLink."""

    def __init__(
        self,
        tokens: AppTokenSource,
        *,
        session: requests.Session | None = None,
        base_url: str = GRAPH,
        timeout: float = 10.0,
    ) -> None:
        self._tokens, self._base, self._timeout = tokens, base_url.rstrip("/"), timeout
        self._session = session or requests.Session()

    def __call__(self, group_id: str) -> frozenset[str]:
        try:
            token = self._tokens.token()
        except TokenError as exc:
            raise GroupLookupError(f"no Graph token: {exc}") from None
        url: str | None = (
            f"{self._base}/groups/{group_id}/transitiveMembers/microsoft.graph.user"
            "?$select=id&$top=999"
        )
        members: set[str] = set()
        for _ in range(MAX_PAGES):
            if url is None:
                return frozenset(members)
            response = self._session.get(
                url, headers={"Authorization": f"Bearer {token}"}, timeout=self._timeout
            )
            if response.status_code != 200:
                raise GroupLookupError(f"Graph answered {response.status_code}")
            page = response.json()
            members |= {str(user["id"]).lower() for user in page.get("value", []) if user.get("id")}
            url = page.get("@odata.nextLink")
        raise GroupLookupError(f"more than {MAX_PAGES} pages of members")


def static_fetcher(groups: Mapping[str, frozenset[str]]) -> GroupFetcher:
    """A fixed directory (tests and the local demo): unknown groups have no members."""
    return lambda group_id: frozenset(groups.get(group_id, frozenset()))


def group_members(fetch: GroupFetcher, connection: redis.Redis, group_id: str) -> frozenset[str]:
    cached = connection.get(_key(group_id))
    if cached:
        return frozenset(json.loads(cached))
    try:
        members = fetch(group_id)
    except (GroupLookupError, requests.RequestException, ValueError) as exc:
        log.warning("entra group not listed", extra={"group": group_id, "error": str(exc)[:200]})
        return frozenset()
    connection.set(_key(group_id), json.dumps(sorted(members)), ex=CACHE_SECONDS)
    return members


class EntraApproverDirectory:
    """`ApproverDirectory` over Entra users and groups; resolves once per flow call."""

    def __init__(self, fetch: GroupFetcher, connection: redis.Redis, teams: TeamsConfig) -> None:
        self._fetch, self._connection, self._teams = fetch, connection, teams
        self._resolved: Approvers | None = None

    def approvers(self) -> Approvers:
        if self._resolved is None:
            members: set[str] = set()
            for group_id in self._teams.approver_groups:
                members |= group_members(self._fetch, self._connection, group_id)
            self._resolved = Approvers(
                users=frozenset(self._teams.approver_users), group_members=frozenset(members)
            )
        return self._resolved
