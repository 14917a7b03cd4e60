"""An approval clicked over Socket Mode, end to end (issue 14: "approval click in Socket
Mode has never run end to end").

The bot runs `serve --socket` against the emulated Socket Mode endpoint; the audit command,
the Request fix choice and the approver's Approve all arrive as envelopes, and the worker
applies the fix against the fake AWS and verifies it with a fresh read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import group_state, set_modify_delay
from sandbox.socket_mode import SocketModeDriver
from sandbox.stack import Stack, StackOptions
from tests.integration.remediation.flow import (
    ACCOUNT,
    REGION,
    decide,
    events,
    request_fix,
    request_id_of,
    result_message,
    run_audit,
    wait_state,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bot-socket-approval-stack")]
GROUP = "socket-fix"


def _elasticache(url: str) -> object:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("elasticache", endpoint_url=url, region_name=REGION, **keys)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=(REGION,), mode="socket")) as running:
        ec = _elasticache(running.aws.url)
        ec.create_replication_group(  # type: ignore[attr-defined]
            ReplicationGroupId=GROUP, ReplicationGroupDescription=GROUP, Engine="redis",
            EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
            AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
            Tags=[{"Key": "owner", "Value": "team-a"}],
        )  # fmt: skip
        set_modify_delay(running.aws.url, 0)
        try:
            yield running
        finally:
            set_modify_delay(running.aws.url, 1)
            with contextlib.suppress(ClientError):
                ec.delete_replication_group(ReplicationGroupId=GROUP)  # type: ignore[attr-defined]


def test_an_approval_clicked_over_socket_mode_applies_and_verifies_the_fix(stack: Stack) -> None:
    assert isinstance(stack.signed_client(), SocketModeDriver)  # every click below is an envelope
    assert stack.socket_mode is not None and stack.socket_mode.open_connections >= 1
    parent = run_audit(stack, GROUP)
    message = request_fix(stack, parent, GROUP, "CW-401")
    request_id = request_id_of(message)
    assert wait_state(stack, request_id, "pending").state == "pending"

    assert decide(stack, message, "U_SECURITY").status == 200
    result = result_message(stack, parent, GROUP, "CW-401")
    assert result["text"].startswith("Verified"), result["text"]
    done = wait_state(stack, request_id, "done")
    assert done.decided_by == "U_SECURITY" and done.requester == "U_ENGINEER"
    logged = events(stack, request_id)
    for step in ("request.created", "request.approved", "job.started", "aws.call", "fix.verified"):
        assert step in logged, (step, logged)
    assert logged.count("aws.call") == 1
    assert group_state(stack.aws.url, ACCOUNT, REGION, GROUP)["snapshot_retention_limit"] == 7
