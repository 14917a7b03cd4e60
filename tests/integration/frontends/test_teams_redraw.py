"""After a verified fix, the Teams finding reply that shows it is drawn again for everyone
(update_activity on that reply in the audit's chain), as Slack redraws its thread reply; and
Teams cards name people by the display name their turns carried, not by Entra object id."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bot.teams.verbs import Verb
from sandbox.stack import Stack
from sandbox.teams_connector.client import CHANNEL as TEAMS_CHANNEL
from tests.integration.frontends.drivers import (
    TEAMS_USERS,
    WON,
    Button,
    TeamsFrontEnd,
    plain,
    wait_for,
)
from tests.integration.remediation.flow import wait_state
from tests.unit.teams.card_checks import walk

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("frontends-stack")]
GROUP = "teams-redraw"


def _elasticache(stack: Stack) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("elasticache", endpoint_url=stack.aws.url, region_name="us-east-1", **keys)


@pytest.fixture
def teams(stack: Stack) -> Iterator[TeamsFrontEnd]:
    try:
        yield TeamsFrontEnd(stack)
    finally:
        with contextlib.suppress(ClientError):
            _elasticache(stack).delete_replication_group(ReplicationGroupId=GROUP)


def _create_group(stack: Stack) -> None:
    _elasticache(stack).create_replication_group(
        ReplicationGroupId=GROUP, ReplicationGroupDescription=GROUP, Engine="redis",
        EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
        Tags=[{"Key": "owner", "Value": "team-a"}],
    )  # fmt: skip


def _done_audit(teams: TeamsFrontEnd, before: int, group: str) -> Any:
    def done() -> Any:
        for posted in teams._posted()[before:]:
            if posted["conversation"] != TEAMS_CHANNEL or posted["root"] is not None:
                continue
            text = plain(teams._card(posted))
            if "(done)" in text and group in text and group in teams.thread_text(posted):
                return posted
        return None

    return wait_for(done, what=f"the finished Teams audit of {group}")


def _scoped_audit(teams: TeamsFrontEnd) -> Any:
    """A cache created after the last scan is unknown to the scope check: the answer offers
    "Scan anyway", and its button runs the audit (asking again would be refused again)."""
    before = len(teams._posted())
    activity = teams.client.message_activity(f"audit {GROUP}", person=TEAMS_USERS["engineer"])
    assert teams.client.send(activity).status in (200, 202)
    answer = teams._reply_to(activity["id"])
    assert "was seen in the last scan" in plain(teams._card(answer))
    anyway = next(
        a for a in walk(teams._card(answer)) if a.get("verb") == Verb.AUDIT and a["data"]["anyway"]
    )
    assert "queued" in teams.click(Button(answer, Verb.AUDIT, dict(anyway["data"])), "engineer")
    return _done_audit(teams, before, GROUP)


def test_a_verified_fix_redraws_its_finding_reply_and_cards_show_display_names(
    teams: TeamsFrontEnd, stack: Stack
) -> None:
    before = len(teams._posted())
    assert "queued" in teams.ask("audit orders-prod")  # a scan, so the index of caches exists
    _done_audit(teams, before, "orders-prod")
    _create_group(stack)  # created after that scan
    parent = _scoped_audit(teams)
    engineer, security = TEAMS_USERS["engineer"], TEAMS_USERS["security"]
    summary = plain(teams._card(parent))
    assert f"Requested by {engineer.name}" in summary
    assert engineer.aad_object_id not in summary

    button = teams.finding_button(parent, GROUP, "CW-401", "request_fix")
    reply_before = next(p for p in teams._posted() if p["id"] == button.message["id"])
    assert "**RESOLVED**" not in str(teams._card(reply_before))
    teams.click(button, "engineer")
    request_id, approve, _ = teams.approval(parent, GROUP, "CW-401")
    request_card = plain(teams._card(approve.message))
    assert f"Requested by {engineer.name}" in request_card
    assert teams.click(approve, "security") == WON
    wait_state(stack, request_id, "done")

    def redrawn() -> Any:
        now = next(p for p in teams._posted() if p["id"] == button.message["id"])
        return now if "RESOLVED" in plain(teams._card(now)) else None

    reply = wait_for(redrawn, what="the finding reply redrawn after the verified fix")
    text = plain(teams._card(reply))
    assert reply["versions"] > reply_before["versions"]
    assert f"fix verified by {engineer.name}" in text
    assert "CW-401" in text and engineer.aad_object_id not in text
    decided = next(p for p in teams._posted() if p["id"] == approve.message["id"])
    assert security.name in plain(teams._card(decided))
    assert security.aad_object_id not in plain(teams._card(decided))
