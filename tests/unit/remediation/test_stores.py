"""The fix's progress record and the accepted-risk store, against fakeredis (with Lua)."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import fakeredis
import pytest

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.remediation import plan_fix
from posture.suppressions import AcceptedRisk
from tests.unit.rules.world import NOW, replication_group
from workers.approvals.suppressions_store import SUPPRESSIONS, SuppressionStore
from workers.fixes.store import FixStore, Phase


@pytest.fixture
def connection() -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis()


def test_plan_and_phases_survive_for_a_resumed_job(connection: fakeredis.FakeRedis) -> None:
    fixes = FixStore(connection)
    _, inv = replication_group(group={"SnapshotRetentionLimit": 0})
    plan = plan_fix("CW-401", ResourceKind.REPLICATION_GROUP, "orders", inv, OrgPolicy(), NOW)
    fixes.save_plan("req1", plan)
    assert fixes.plan("req1") == plan and fixes.phase("req1") is Phase.PLANNED
    fixes.mark("req1", Phase.APPLYING)
    assert fixes.phase("req1") is Phase.APPLYING
    assert fixes.claim_report("req1") and not fixes.claim_report("req1")


def test_lease_is_exclusive_while_its_holder_lives(connection: fakeredis.FakeRedis) -> None:
    fixes = FixStore(connection)
    assert fixes.take_lease("req2")
    assert not fixes.take_lease("req2")  # held by this very process, which is alive
    fixes.release_lease("req2")
    assert fixes.take_lease("req2")


def test_lease_of_a_dead_process_on_this_host_is_taken_over(
    connection: fakeredis.FakeRedis,
) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)  # fmt: skip
    connection.set("cw:fix:req3:lease", f"{socket.gethostname()}:{gone.stdout.strip()}", ex=60)
    assert FixStore(connection).take_lease("req3")
    connection.set("cw:fix:req4:lease", "another-host:1", ex=60)
    assert not FixStore(connection).take_lease("req4")  # cannot tell: wait for it to expire


def _risk(until: datetime, resource: str) -> AcceptedRisk:
    return AcceptedRisk(
        rule_id="CW-401", account="123456789012", region="eu-west-1",
        resource_kind=ResourceKind.REPLICATION_GROUP, resource_id=resource, reason="cache only",
        requested_by="U_ENG", accepted_by="U_SEC", accepted_at=NOW, until=until, request_id="r1",
    )  # fmt: skip


def test_accepted_risks_are_kept_until_their_date(connection: fakeredis.FakeRedis) -> None:
    store = SuppressionStore(connection)
    now = datetime(2026, 11, 22, tzinfo=UTC)
    store.put(_risk(now + timedelta(days=1), "kept"))
    store.put(_risk(now - timedelta(seconds=1), "over"))
    store.put(_risk(now + timedelta(days=2), "kept"))  # accepted again: replaces the first
    active = store.active(now)
    assert [(r.resource_id, r.until) for r in active] == [("kept", now + timedelta(days=2))]
    assert connection.hlen(SUPPRESSIONS) == 1  # the expired record was dropped
