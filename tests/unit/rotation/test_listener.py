"""/cache-rotate-token in the web process: it stores the ask, enqueues ids only, calls no AWS."""

from __future__ import annotations

import fakeredis
from rq import Queue
from rq.serializers import JSONSerializer

from bot.app import BotDeps
from bot.listeners.rotation import answer_rotate
from bot.metrics import BotMetrics
from commands.requests import RotateTokenRequest
from workers.config import AppConfig
from workers.enqueue import SCANS_QUEUE
from workers.rotation_store import RotationStore


def test_the_command_stores_the_ask_and_enqueues_only_its_id() -> None:
    connection = fakeredis.FakeRedis()
    deps = BotDeps(connection=connection, config=AppConfig(), metrics=BotMetrics(connection, ()))
    request = RotateTokenRequest(group_id="orders-prod", region="eu-west-1")
    body = {"user_id": "U_ENGINEER", "channel_id": "C_PLATFORM"}

    payload = answer_rotate(request, body, deps, "cid-1")

    assert "Checking orders-prod" in payload["text"]
    (job,) = Queue(SCANS_QUEUE, connection=connection, serializer=JSONSerializer).jobs
    assert job.func_name == "workers.jobs.rotation_check.check_rotation_request"
    (ticket,) = job.args
    assert job.kwargs == {} and job.meta == {"correlation_id": "cid-1"}
    intake = RotationStore(connection).get_intake(ticket)
    assert intake is not None
    assert (intake.group_id, intake.region, intake.account) == ("orders-prod", "eu-west-1", None)
    assert (intake.requester, intake.channel) == ("U_ENGINEER", "C_PLATFORM")
