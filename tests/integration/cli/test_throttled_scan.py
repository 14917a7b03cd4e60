"""Fault matrix: 30% of every AWS call throttled. The scan completes with the same findings.

The same `cachewarden audit` child process runs twice against the hand-built fleet: once
clean, once while the fake AWS answers `Throttling` (HTTP 400, the code botocore's retry
modes treat as throttling) to a seeded 30% of all calls of every service. botocore's
adaptive retries absorb them; nothing may be reported as unassessed.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.fake_aws import inject_fault
from sandbox.fake_aws.client import clear_faults, list_faults
from tests.integration.cli.hand_fleet import REGION, seed_hand_fleet
from tests.integration.cli.runner import CliResult, cli_env, run_audit

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("cli-throttled")]
ARGS = ("--region", REGION, "--format", "json")
# What may differ between two runs of the same fleet: timings and call counts.
VOLATILE = {"evidence"}


def _comparable(result: CliResult) -> list[tuple[Any, ...]]:
    assert result.returncode == 0, result.describe()
    rows = result.json()["findings"]
    return sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if k not in VOLATILE)) for row in rows
    )


def test_thirty_percent_throttling_changes_no_finding(fake_aws_url: str) -> None:
    seed_hand_fleet(fake_aws_url)
    env = cli_env(fake_aws_url)
    clean = run_audit(ARGS, env)
    inject_fault(fake_aws_url, "*", "Throttling", status=400, count=None, rate=0.3, seed=14)
    throttled = run_audit(ARGS, env)
    fault = list_faults(fake_aws_url)[0]
    clear_faults(fake_aws_url)
    assert fault["seen"] > 20 and 0.2 < fault["fired"] / fault["seen"] < 0.4, fault
    assert throttled.json()["scan"]["errors"] == [], throttled.describe()
    assert _comparable(throttled) == _comparable(clean)
    assert len(_comparable(clean)) > 10  # the fleet really has findings to compare
