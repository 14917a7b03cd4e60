"""With no worker alive, the user is told their audit waits; nothing is dropped."""

from __future__ import annotations

import pytest
import redis

from sandbox.stack import Stack, StackOptions
from workers.platform.enqueue import SCANS_QUEUE, queue

pytestmark = pytest.mark.integration


def test_audit_without_workers_says_it_waits_and_stays_queued() -> None:
    with Stack(StackOptions(workers=0, regions=("us-east-1",))) as stack:
        response = stack.signed_client().command(
            "/cache-audit", "", user_id="U_ENGINEER", channel_id="C_PLATFORM"
        )
        assert response.status == 200
        assert "No worker is running right now" in response.json()["text"]
        assert queue(redis.Redis.from_url(stack.redis.url), SCANS_QUEUE).count == 1
