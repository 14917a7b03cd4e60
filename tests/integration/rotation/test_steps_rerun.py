"""Every step run twice from the same stored state, as after a worker died before saving
its result: nothing is sent twice, nothing is generated twice, the outcome is the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import fakeredis
import pytest

from posture.iam import remediation_policy
from posture.rotation import Phase, Rotation, RotationMode, SecretRef
from posture.tokens import TokenPolicy
from sandbox.fake_aws import FakeAwsServer, group_state
from workers.aws.secrets import CredentialVault
from workers.rotation.jobs import step_for
from workers.rotation.steps import RotationTools, StepFailed, Wait
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with FakeAwsServer(modify_delay_describes=1) as server:
        yield server.url


def _client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


class CallLog:
    """Every operation the steps' clients call, as IAM action names."""

    def __init__(self) -> None:
        self.actions: set[str] = set()

    def watch(self, client: Any) -> Any:
        prefix = client.meta.service_model.signing_name
        client.meta.events.register(
            "before-call", lambda model, **_: self.actions.add(f"{prefix}:{model.name}")
        )
        return client


def _granted() -> set[str]:
    """What `cachewarden iam-policy remediation` grants."""
    return {action for s in remediation_policy()["Statement"] for action in s["Action"]}


@pytest.fixture
def calls() -> CallLog:
    return CallLog()


@pytest.fixture
def tools(aws: str, calls: CallLog) -> RotationTools:
    return RotationTools(
        elasticache=calls.watch(_client(aws, "elasticache")),
        vault=CredentialVault(calls.watch(_client(aws, "secretsmanager"))),
        policy=TokenPolicy(length=32),
        audit=AuditLog(fakeredis.FakeRedis()),
        now=lambda: datetime.now(UTC),
    )


def _group(aws: str, old: str) -> tuple[str, str]:
    group = f"rerun-{uuid.uuid4().hex[:6]}"
    _client(aws, "elasticache").create_replication_group(
        ReplicationGroupId=group,
        ReplicationGroupDescription="rerun",
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t4g.small",
        TransitEncryptionEnabled=True,
        AuthToken=old,
    )
    secret = f"cachewarden/auth/{group}"
    _client(aws, "secretsmanager").create_secret(Name=secret, SecretString=old)
    return group, secret


def _rotation(group: str, secret: str) -> Rotation:
    now = datetime.now(UTC)
    ref = SecretRef(name=secret, pending_version_id=uuid.uuid4().hex, previous_known=True)
    return Rotation(
        rotation_id=uuid.uuid4().hex[:16],
        mode=RotationMode.AUTH_TOKEN,
        account=ACCOUNT,
        region=REGION,
        group_id=group,
        engine="redis",
        requester="U_ENGINEER",
        channel="C_PLATFORM",
        secrets=(ref,),
        phase=Phase.APPROVED,
        created_at=now,
        updated_at=now,
    )


def _calls(tools: RotationTools) -> int:
    return sum(1 for entry in tools.audit.all() if entry.fields["event"] == "aws.call")


def _twice(tools: RotationTools, rotation: Rotation) -> Rotation:
    """Run the step, throw its result away (the crash), run it again, keep the second."""
    step = step_for(rotation)
    assert step is not None
    step(tools, rotation)
    result = step(tools, rotation)
    while isinstance(result, Wait):  # let the fake's modify finish
        result = step(tools, rotation)
    return result


def _run_to(tools: RotationTools, rotation: Rotation, *stops: Phase) -> Rotation:
    while rotation.phase not in stops:
        rotation = _twice(tools, rotation)
    return rotation


def test_each_step_of_a_rotation_survives_being_run_twice(
    aws: str, tools: RotationTools, calls: CallLog
) -> None:
    old = f"Start-{uuid.uuid4().hex}"
    group, secret = _group(aws, old)
    rotation = _run_to(tools, _rotation(group, secret), Phase.BOTH_VALID)
    new = tools.vault.with_values(secret, [rotation.secrets[0].pending_version_id], str)
    assert group_state(aws, ACCOUNT, REGION, group)["auth_tokens"] == [old, new]
    assert _calls(tools) == 1, "ROTATE must be sent exactly once"

    rotation = rotation.model_copy(update={"phase": Phase.FINALIZE_APPROVED})
    rotation = _run_to(tools, rotation, Phase.DONE)
    assert group_state(aws, ACCOUNT, REGION, group)["auth_tokens"] == [new]
    assert _calls(tools) == 2, "SET must be sent exactly once"
    assert {"elasticache:ModifyReplicationGroup", "secretsmanager:PutSecretValue"} <= calls.actions
    assert calls.actions <= _granted(), "the remediation policy misses a call"


def test_the_cancel_steps_survive_being_run_twice(
    aws: str, tools: RotationTools, calls: CallLog
) -> None:
    old = f"Start-{uuid.uuid4().hex}"
    group, secret = _group(aws, old)
    rotation = _run_to(tools, _rotation(group, secret), Phase.BOTH_VALID)
    rotation = rotation.model_copy(update={"phase": Phase.CANCEL_REQUESTED})
    rotation = _run_to(tools, rotation, Phase.CANCELLED)
    assert group_state(aws, ACCOUNT, REGION, group)["auth_tokens"] == [old]
    assert _calls(tools) == 3  # ROTATE, then ROTATE back and SET back, once each
    labels = tools.vault.describe(secret)
    assert labels.labels_of(rotation.secrets[0].pending_version_id) == ()
    assert calls.actions <= _granted()


def test_a_group_deleted_mid_rotation_stops_with_a_reason(aws: str, tools: RotationTools) -> None:
    group, secret = _group(aws, f"Start-{uuid.uuid4().hex}")
    rotation = _run_to(tools, _rotation(group, secret), Phase.SECRET_PENDING)
    _client(aws, "elasticache").delete_replication_group(ReplicationGroupId=group)
    step = step_for(rotation)
    assert step is not None
    with pytest.raises(StepFailed, match="no longer exists"):
        step(tools, rotation)
