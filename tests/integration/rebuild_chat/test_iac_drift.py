"""Apply anyway on a CloudFormation-managed group: the template change comes first, the
live fix follows only an explicit choice, the approver is told the stack will drift, and
the trail records the choice. Real processes: redis-server, worker, web, fake AWS, emulator."""

from __future__ import annotations

import contextlib

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import group_state
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    ACCOUNT,
    CHANNEL,
    REGION,
    approval_message,
    click_finding,
    decide,
    events,
    request_id_of,
    run_audit,
    text_of,
    thread,
    wait_for,
    wait_state,
)
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rebuild-chat")]
GROUP = "cfn-drift"


def test_apply_anyway_fixes_live_after_approval_and_records_the_drift(stack: Stack) -> None:
    ec = boto3.client("elasticache", endpoint_url=stack.aws.url, region_name=REGION,
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    ec.create_replication_group(
        ReplicationGroupId=GROUP, ReplicationGroupDescription=GROUP, Engine="redis",
        EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
        Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "drift-prod"},
              {"Key": "aws:cloudformation:logical-id", "Value": "DriftCache"}],
    )  # fmt: skip
    try:
        parent = run_audit(stack)  # the whole account: a scoped audit must name a known cache
        click_finding(stack, parent, GROUP, "CW-401", "finding_request_fix", "U_ENGINEER")

        def template() -> dict | None:  # type: ignore[type-arg]
            for message in thread(stack, parent):
                if "Template change for CW-401" in text_of(message.get("blocks")):
                    return message
            return None

        plan = wait_for(template, 30, "the template change")
        assert "finding_apply_anyway" in text_of(plan["blocks"])
        assert group_state(stack.aws.url, ACCOUNT, REGION, GROUP)["snapshot_retention_limit"] == 0
        answer = stack.signed_client().click(
            plan, "finding_apply_anyway", user_id="U_ENGINEER", channel_id=CHANNEL
        )
        assert answer.status == 200
        request = approval_message(stack, parent, GROUP, "CW-401")
        shown = text_of(request["blocks"])
        assert "drift" in shown and "drift-prod" in shown, "the approver is told"
        request_id = request_id_of(request)
        decide(stack, request, "U_SECURITY")
        assert wait_state(stack, request_id, "done", "failed").state == "done"
        assert group_state(stack.aws.url, ACCOUNT, REGION, GROUP)["snapshot_retention_limit"] == 7
        assert "fix.drift_accepted" in events(stack, request_id)
        chosen = [
            e.fields for e in AuditLog(connect(stack.redis.url)).all()
            if e.fields.get("event") == "fix.drift_chosen"
            and e.fields.get("target") == f"replication_group/{GROUP}"
        ]  # fmt: skip
        assert chosen and chosen[0]["actor"] == "U_ENGINEER"
    finally:
        with contextlib.suppress(ClientError):
            ec.delete_replication_group(ReplicationGroupId=GROUP)
