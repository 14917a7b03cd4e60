"""Each remediation end to end: Request fix -> approval by another user -> the fake AWS changes ->
the rescan in the thread says it passes. Real processes: redis-server, worker, web, fake AWS, emulator.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from posture.privileges import FIX_READS, fix_writes
from sandbox.fake_aws import group_state
from sandbox.stack import Stack
from tests.integration import remediation_calls
from tests.integration.remediation.flow import (
    ACCOUNT,
    CHANNEL,
    REGION,
    SECURITY,
    approval_message,
    click_finding,
    decide,
    events,
    finding_line,
    line_actions,
    request_fix,
    request_id_of,
    result_message,
    text_of,
    thread,
    wait_for,
    wait_state,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("remediation-stack")]
Parent = dict[str, Any]


def fix_and_verify(stack: Stack, parent: Parent, resource: str, rule: str) -> str:
    """Request as the engineer, approve as security, wait for the verified rescan; returns the id."""
    message = request_fix(stack, parent, resource, rule)
    request_id = request_id_of(message)
    assert decide(stack, message, "U_SECURITY").status == 200
    result = result_message(stack, parent, resource, rule)
    assert result["text"].startswith(f"Verified: {rule} on {resource} now passes"), result["text"]
    wait_state(stack, request_id, "done")
    return request_id


def _resolved_line(stack: Stack, parent: Parent, resource: str, rule: str) -> dict[str, Any] | None:
    _, line = finding_line(stack, parent, resource, rule)
    return line if "*RESOLVED*" in text_of(line) else None


def state(stack: Stack, group: str) -> dict[str, Any]:
    return group_state(stack.aws.url, ACCOUNT, REGION, group)


def test_backups_fix_is_approved_applied_verified_and_logged(stack: Stack, parent: Parent) -> None:
    assert state(stack, "fix-all")["snapshot_retention_limit"] == 0
    message = request_fix(stack, parent, "fix-all", "CW-401")
    shown = text_of(message["blocks"])
    assert "SnapshotRetentionLimit" in shown and "approval_approve" in shown
    mirror = approval_message(stack, parent, "fix-all", "CW-401", channel=SECURITY)
    request_id = request_id_of(message)
    assert request_id_of(mirror) == request_id
    decide(stack, message, "U_SECURITY")
    result_message(stack, parent, "fix-all", "CW-401")
    done = wait_state(stack, request_id, "done")
    assert done.decided_by == "U_SECURITY" and done.outcome == "verified by a fresh scan"
    assert state(stack, "fix-all")["snapshot_retention_limit"] == 7
    # Issue 13 item 4: the finding's line and the summary are redrawn once the fix is verified.
    line = wait_for(
        lambda: _resolved_line(stack, parent, "fix-all", "CW-401"), what="the line as resolved"
    )
    assert list(line_actions(line)) == ["finding_explain"], "no Request fix on a fixed finding"
    summary = next(m for m in stack.emulator.messages(CHANNEL) if m["ts"] == parent["ts"])
    assert "fixed and verified since" in text_of(summary["blocks"])
    for where in (
        approval_message(stack, parent, "fix-all", "CW-401"),
        approval_message(stack, parent, "fix-all", "CW-401", SECURITY),
    ):
        wait_for(
            lambda w=where: (
                "*Done.*"
                in text_of(
                    approval_message(
                        stack, parent, "fix-all", "CW-401", CHANNEL if w is message else SECURITY
                    )["blocks"]
                )
            ),
            what="the redrawn request",
        )
    assert events(stack, request_id) == [
        "request.created", "request.approved", "job.started", "aws.call", "aws.result", "fix.verified", "request.done",
    ]  # fmt: skip


def _security_group_rules(stack: Stack, group_id: str) -> list[tuple[int, str]]:
    ec2 = boto3.client("ec2", endpoint_url=stack.aws.url, region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    found = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"]
    return sorted(
        (p.get("FromPort", -1), r["CidrIp"]) for p in found for r in p.get("IpRanges", [])
    )


@pytest.mark.parametrize(
    ("group", "rule", "field", "before", "after"),
    [
        ("fix-all", "CW-405", "auto_minor_version_upgrade", False, True),
        ("fix-all", "CW-403", "automatic_failover", "disabled", "enabled"),
        ("one-zone", "CW-404", "multi_az", "disabled", "enabled"),
        ("short-backups", "CW-402", "snapshot_retention_limit", 2, 7),
        ("rbac-target", "CW-202", "user_group_ids", [], ["app-users"]),
    ],
)
def test_in_place_fix_changes_aws(
    stack: Stack, parent: Parent, group: str, rule: str, field: str, before: Any, after: Any
) -> None:
    assert state(stack, group)[field] == before
    fix_and_verify(stack, parent, group, rule)
    assert state(stack, group)[field] == after


def test_world_open_port_is_closed_and_every_other_rule_kept(stack: Stack, parent: Parent) -> None:
    group_id = state(stack, "fix-all")["security_group_ids"][0]
    assert (6379, "0.0.0.0/0") in _security_group_rules(stack, group_id)
    fix_and_verify(stack, parent, "fix-all", "CW-304")
    assert _security_group_rules(stack, group_id) == [(22, "10.1.0.0/16"), (6379, "10.0.0.0/8")]


def test_tls_goes_preferred_then_required_in_two_approved_steps(
    stack: Stack, parent: Parent
) -> None:
    fix_and_verify(stack, parent, "fix-all", "CW-101")
    assert (
        state(stack, "fix-all")["transit_encryption_enabled"],
        state(stack, "fix-all")["transit_encryption_mode"],
    ) == (True, "preferred")
    result = result_message(stack, parent, "fix-all", "CW-101")
    assert "Step 2 of 2" in text_of(result["blocks"])
    # The names clients must move to, as the fresh read after the change reports them.
    assert "Endpoints now" in text_of(result["blocks"])
    assert "primary master.fix-all." in text_of(result["blocks"])
    answer = stack.signed_client().click(
        result, "finding_request_fix", user_id="U_ENGINEER", channel_id=CHANNEL
    )
    assert answer.status == 200
    step_two = approval_message(stack, parent, "fix-all", "CW-102")
    assert "required" in text_of(step_two["blocks"])
    decide(stack, step_two, "U_SECURITY2")
    assert result_message(stack, parent, "fix-all", "CW-102")["text"].startswith("Verified")
    assert state(stack, "fix-all")["transit_encryption_mode"] == "required"


def test_tls_on_an_old_engine_posts_the_rebuild_runbook_without_asking(
    stack: Stack, parent: Parent
) -> None:
    answer = click_finding(stack, parent, "old-tls", "CW-101", "finding_request_fix", "U_ENGINEER")
    assert answer.status == 200
    replies = wait_for(
        lambda: (
            text_of(thread(stack, parent))
            if "Rebuild old-tls for CW-101" in text_of(thread(stack, parent))
            else ""
        ),
        what="the rebuild runbook",
    )
    assert "Redis OSS 7.0 or later" in replies and "create-replication-group" in replies
    # Settings only the member clusters report reach the copy through a real collection.
    for setting in (
        "--cache-parameter-group-name",
        "--preferred-maintenance-window",
        "--snapshot-window",
        "--multi-az-enabled",
        "--num-cache-clusters 2",
    ):
        assert setting in replies, setting  # fmt: skip
    requests = [m for m in thread(stack, parent) if m.get("text", "").startswith("Fix request")]
    assert not [m for m in requests if "on old-tls" in m["text"]]  # no approval for a doomed call
    assert state(stack, "old-tls")["transit_encryption_enabled"] is False


def test_no_replica_is_explained_instead_of_asking_for_approval(
    stack: Stack, parent: Parent
) -> None:
    click_finding(stack, parent, "single-node", "CW-403", "finding_request_fix", "U_ENGINEER")
    wait_for(
        lambda: (
            "single-node" in text_of(thread(stack, parent))
            and "has no replica" in text_of(thread(stack, parent))
        ),
        what="the explanation",
    )
    requests = [m for m in thread(stack, parent) if "request: CW-403" in text_of(m)]
    assert not [m for m in requests if "`single-node`" in text_of(m)]


def test_a_rebuild_rule_offers_a_rebuild_request_not_a_fix(stack: Stack, parent: Parent) -> None:
    # Issue 13: no Request fix where no in-place fix exists; issue 17: Request rebuild instead.
    _, line = finding_line(stack, parent, "single-node", "CW-103")
    assert list(line_actions(line)) == [
        "finding_explain", "finding_request_rebuild", "finding_accept_risk",
    ]  # fmt: skip
    _, fixable = finding_line(stack, parent, "single-node", "CW-403")
    assert "finding_request_fix" in line_actions(fixable)


def test_the_fixes_made_only_calls_the_remediation_policy_grants(stack: Stack) -> None:
    """Runs after the stories above: every call their fix jobs made, against the policy."""
    made = remediation_calls.made(stack.redis.url)
    assert made <= remediation_calls.granted()
    # The stories fix replication groups and one security group: these writes, no others.
    assert remediation_calls.writes(made) == {
        "elasticache:ModifyReplicationGroup",
        "ec2:RevokeSecurityGroupIngress",
    }
    # Every other declared fix call belongs to a kind of cache these stories do not fix, or
    # to a customer-managed KMS key they do not use: nothing is declared "just in case".
    declared = remediation_calls.iam_actions(fix_writes() | FIX_READS)
    assert declared - made == {
        "elasticache:ModifyCacheCluster",
        "elasticache:ModifyServerlessCache",
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeServerlessCacheSnapshots",
        "kms:DescribeKey",
        # Read only when a security group names a prefix list, which these stories' do not.
        "ec2:DescribeManagedPrefixLists",
        "ec2:GetManagedPrefixListEntries",
    }
