"""The audit log's retention policy over a real redis-server (XTRIM MINID needs Redis 6.2+)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.flows.conftest import World
from workers.trail.log import STREAM, AuditLog

pytestmark = pytest.mark.integration
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _entry(world: World, days_ago: float, event: str, n: int = 0) -> str:
    ms = int((NOW - timedelta(days=days_ago)).timestamp() * 1000)
    world.connection.xadd(STREAM, {"event": event, "actor": "U1"}, id=f"{ms}-{n}")
    return f"{ms}-{n}"


def test_approvals_and_aws_calls_outlive_refusals(world: World) -> None:
    _entry(world, 500, "aws.call")  # older than the whole log's retention
    _entry(world, 450, "decision.refused")
    kept_call = _entry(world, 300, "aws.call")
    kept_approval = _entry(world, 300, "request.approved", 1)
    _entry(world, 45, "decision.refused")
    _entry(world, 45, "decision.refused.repeated", 1)
    _entry(world, 40, "subscription.refused")
    kept_change = _entry(world, 40, "subscription.created", 1)
    fresh_refusal = _entry(world, 5, "decision.refused")
    log = AuditLog(world.connection)
    assert log.trim(NOW, keep_days=400, refusals_keep_days=30) == (2, 3)
    assert [e.entry_id for e in log.all()] == [kept_call, kept_approval, kept_change, fresh_refusal]
    assert log.trim(NOW, keep_days=400, refusals_keep_days=30) == (0, 0)  # idempotent


def test_later_refusals_are_trimmed_from_where_the_last_run_stopped(world: World) -> None:
    log = AuditLog(world.connection)
    _entry(world, 40, "decision.refused")
    assert log.trim(NOW, keep_days=400, refusals_keep_days=30) == (0, 1)
    _entry(world, 20, "decision.refused")
    later = NOW + timedelta(days=15)
    assert log.trim(later, keep_days=400, refusals_keep_days=30) == (0, 1)
    assert list(log.all()) == []
