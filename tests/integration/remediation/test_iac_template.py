"""A replication group that a CloudFormation stack manages: Request fix posts the template
change (with the stack's name and the resource's logical id), opens no approval request,
and makes no live call. Real processes: redis-server, worker, web, fake AWS, emulator."""

from __future__ import annotations

import contextlib
import time

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import group_state
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    ACCOUNT,
    REGION,
    click_finding,
    run_audit,
    text_of,
    thread,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("remediation-stack")]
GROUP = "cfn-orders"


def test_a_cloudformation_group_gets_the_template_change_not_a_live_call(stack: Stack) -> None:
    ec = boto3.client("elasticache", endpoint_url=stack.aws.url, region_name=REGION,
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    ec.create_replication_group(
        ReplicationGroupId=GROUP, ReplicationGroupDescription=GROUP, Engine="redis",
        EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
        Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "orders-prod"},
              {"Key": "aws:cloudformation:logical-id", "Value": "OrdersCache"}],
    )  # fmt: skip
    try:
        parent = run_audit(stack, GROUP)
        answer = click_finding(stack, parent, GROUP, "CW-401", "finding_request_fix", "U_ENGINEER")
        assert answer.status == 200

        def template() -> str | None:
            for message in thread(stack, parent):
                text = text_of(message.get("blocks"))
                if "Template change for CW-401" in text:
                    return text
            return None

        shown = wait_for(template, 30, "the template change")
        assert "orders-prod" in shown and "OrdersCache:" in shown
        assert "SnapshotRetentionLimit: 7" in shown and "create-change-set" in shown
        time.sleep(1)  # a live fix would have opened a request by now
        replies = " ".join(text_of(m.get("blocks")) for m in thread(stack, parent))
        assert "approval_approve" not in replies
        assert group_state(stack.aws.url, ACCOUNT, REGION, GROUP)["snapshot_retention_limit"] == 0
    finally:
        with contextlib.suppress(ClientError):
            ec.delete_replication_group(ReplicationGroupId=GROUP)
