"""What the thread says when AWS refuses, and the plan helpers a resumed job relies on."""

from __future__ import annotations

import pytest

from posture.base import ResourceKind
from posture.policy import OrgPolicy
from posture.remediation import PlanKind, catalog_plan, plan_fix
from posture.remediation.words import changed_text, dry_run_text, refusal_text, unavailable_text
from tests.unit.rules.world import NOW, replication_group

RG = ResourceKind.REPLICATION_GROUP


def _plan():  # type: ignore[no-untyped-def]
    _, inv = replication_group(group={"SnapshotRetentionLimit": 0})
    return plan_fix("CW-401", RG, "orders", inv, OrgPolicy(), NOW)


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("InvalidReplicationGroupState", "Wait until it reads `available`"),
        ("AccessDenied", "cachewarden iam-policy remediation"),
        ("InvalidParameterCombination", "rebuild runbook"),
        ("SomethingNew", "check the resource, then request the fix again"),
    ],
)
def test_refusals_say_what_happened_and_what_to_do(code: str, advice: str) -> None:
    text = refusal_text(_plan(), "ModifyReplicationGroup", code, "the message from AWS")
    assert text.startswith("AWS refused the CW-401 fix on replication group orders")
    assert f"ModifyReplicationGroup answered {code} (the message from AWS)" in text
    assert advice in text


def test_other_outcomes_name_the_fix() -> None:
    plan = _plan()
    assert "changed since the request" in changed_text(plan)
    assert "`modifying`" in unavailable_text(plan, "modifying")
    assert "SnapshotRetentionLimit" in dry_run_text(plan) and "not called" in dry_run_text(plan)


def test_what_is_left_of_a_half_applied_plan_is_a_subset() -> None:
    plan = _plan()
    assert plan.calls_subset_of(plan)
    assert plan.model_copy(update={"calls": ()}).calls_subset_of(plan)
    assert not plan.calls_subset_of(plan.model_copy(update={"calls": ()}))


def test_findings_on_snapshots_get_the_catalog_steps_with_their_name() -> None:
    plan = catalog_plan("CW-105", ResourceKind.SNAPSHOT, "nightly-1", "123456789012", "eu-west-1")
    assert plan.kind is PlanKind.MANUAL and not plan.calls and plan.runbook is not None
    commands = " ".join(c for step in plan.runbook.steps for c in step.commands)
    assert "nightly-1" in commands and "<snapshot-name>" not in commands
