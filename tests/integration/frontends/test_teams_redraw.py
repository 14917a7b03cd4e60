"""After a verified fix, the Teams finding reply that shows it is drawn again for everyone
(update_activity on that reply in the audit's chain), as Slack redraws its thread reply; and
Teams cards name people by the display name their turns carried, not by Entra object id."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from sandbox.stack import Stack
from sandbox.teams_connector.client import CHANNEL as TEAMS_CHANNEL
from tests.integration.frontends.drivers import TEAMS_USERS, WON, TeamsFrontEnd, plain, wait_for
from tests.integration.remediation.flow import wait_state

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("frontends-stack")]
GROUP = "teams-redraw"


@pytest.fixture
def teams(stack: Stack) -> TeamsFrontEnd:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    ec = boto3.client("elasticache", endpoint_url=stack.aws.url, region_name="us-east-1", **keys)
    ec.create_replication_group(
        ReplicationGroupId=GROUP, ReplicationGroupDescription=GROUP, Engine="redis",
        EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
        Tags=[{"Key": "owner", "Value": "team-a"}],
    )  # fmt: skip
    try:
        yield TeamsFrontEnd(stack)
    finally:
        ec.delete_replication_group(ReplicationGroupId=GROUP)


def _scoped_audit(teams: TeamsFrontEnd) -> Any:
    before = len(teams._posted())
    assert "Traceback" not in teams.ask(f"audit {GROUP}")

    def done() -> Any:
        for posted in teams._posted()[before:]:
            if posted["conversation"] != TEAMS_CHANNEL or posted["root"] is not None:
                continue
            text = plain(teams._card(posted))
            if "(done)" in text and GROUP in teams.thread_text(posted):
                return posted
        return None

    return wait_for(done, what=f"the finished Teams audit of {GROUP}")


def test_a_verified_fix_redraws_its_finding_reply_and_cards_show_display_names(
    teams: TeamsFrontEnd, stack: Stack
) -> None:
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
