"""Asking for a rotation (the flow behind /cache-rotate-token): it stores the ask, enqueues ids only, calls no AWS."""

from __future__ import annotations

import fakeredis
from rq import Queue
from rq.serializers import JSONSerializer

from commands.requests import RotateTokenRequest
from posture.approvals import Approvers
from posture.conversations import Actor, Platform
from workers.platform.config import AppConfig
from workers.platform.context import FlowContext
from workers.platform.enqueue import SCANS_QUEUE
from workers.platform.notifier import Notifiers
from workers.rotation.flows import request_rotation
from workers.rotation.store import RotationStore


class _NoApprovers:
    def approvers(self) -> Approvers:
        return Approvers()


def test_the_command_stores_the_ask_and_enqueues_only_its_id() -> None:
    connection = fakeredis.FakeRedis()
    ctx = FlowContext(connection, AppConfig(), Notifiers({}), _NoApprovers())
    request = RotateTokenRequest(group_id="orders-prod", region="eu-west-1")
    actor = Actor(platform=Platform.SLACK, workspace="T1", user="U_ENGINEER", channel="C_PLATFORM")

    notice = request_rotation(ctx, actor, request, "cid-1")

    assert "Checking orders-prod" in notice.text
    (job,) = Queue(SCANS_QUEUE, connection=connection, serializer=JSONSerializer).jobs
    assert job.func_name == "workers.rotation.check_jobs.check_rotation_request"
    (ticket,) = job.args
    assert job.kwargs == {} and job.meta == {"correlation_id": "cid-1"}
    intake = RotationStore(connection).get_intake(ticket)
    assert intake is not None
    assert (intake.group_id, intake.region, intake.account) == ("orders-prod", "eu-west-1", None)
    assert (intake.requester, intake.origin.channel) == ("U_ENGINEER", "C_PLATFORM")
    assert intake.origin.workspace == "T1"  # the answer goes back to the same workspace
