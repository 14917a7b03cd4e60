"""The shape every rule table shares: build a world, run one check, compare the verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from posture.findings import Status
from posture.policy import OrgPolicy
from posture.resources import Inventory
from posture.rules.context import RuleContext, Verdict
from tests.unit.rules.world import NOW, judge

Build = Callable[[], tuple[Any, Inventory]]
Check = Callable[[Any, RuleContext], Verdict]

PASS = Status.PASS
FAIL = Status.FAIL
NA = Status.NOT_APPLICABLE
ERROR = Status.ERROR


def case(
    case_id: str,
    build: Build,
    status: Status,
    fragment: str,
    policy: OrgPolicy | None = None,
) -> Any:
    """One row: `build()` gives (resource, inventory); the verdict must match status and text."""
    return pytest.param(build, status, fragment, policy, id=case_id)


def assert_verdict(
    check: Check, build: Build, status: Status, fragment: str, policy: OrgPolicy | None
) -> Verdict:
    resource, inv = build()
    verdict = judge(check, resource, inv, policy, NOW)
    assert verdict.status is status, verdict.evidence
    assert fragment in verdict.evidence, verdict.evidence
    assert verdict.evidence, "every verdict explains itself"
    return verdict
