"""Seeding a fleet on the fake and running whole tools against it as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.fake_aws_process import DUMMY_AWS_ENV, REPO_ROOT, FakeAwsProcess

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
TOOL_TIMEOUT_SECONDS = 900


def tool_env(endpoint_url: str) -> dict[str, str]:
    """This environment without real AWS or Slack settings, pointed at the fake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_"))}
    env.pop("CACHEWARDEN_CONFIG", None)
    env.update(DUMMY_AWS_ENV)
    env["AWS_ENDPOINT_URL"] = endpoint_url
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # no instance-metadata probing on a laptop
    return env


@dataclass(frozen=True)
class SeededFleet:
    groups: int
    seconds: float
    manifest: Any  # sandbox.fake_aws.fleet.FleetManifest

    def groups_per_region(self) -> dict[str, int]:
        return dict(Counter(r.region for r in self.manifest.resources("replication-group")))

    def resource_count(self) -> int:
        return len(self.manifest.resources())


def seed(fake: FakeAwsProcess, groups: int, regions: tuple[str, ...] = REGIONS) -> SeededFleet:
    """Wipe the fake, then seed `groups` replication groups (plus the spec's other caches).

    CPU metrics are not seeded: the fake's GetMetricData is quadratic in the stored
    datapoints and passes botocore's 30 s read timeout near 850 clusters per region.
    """
    from sandbox.fake_aws import reset
    from sandbox.fake_aws.fleet import FleetSpec, seed_fleet

    for key, value in DUMMY_AWS_ENV.items():
        os.environ.setdefault(key, value)  # seed_fleet signs with boto3's default chain
    reset(fake.url)
    started = time.perf_counter()
    manifest = seed_fleet(fake.url, FleetSpec(groups=groups, regions=regions, metrics=False))
    seconds = time.perf_counter() - started
    fake.take_counts()  # the seeding requests are not part of any measurement
    return SeededFleet(groups=groups, seconds=seconds, manifest=manifest)


@dataclass(frozen=True)
class ToolRun:
    seconds: float
    stdout: str
    stderr: str
    returncode: int
    server: dict[str, dict[str, float]]

    @property
    def requests(self) -> int:
        return int(sum(entry["requests"] for entry in self.server.values()))


def run_tool(fake: FakeAwsProcess, command: list[str]) -> ToolRun:
    """Run `command` against the fake; wall time and the requests the fake served for it."""
    fake.take_counts()
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=tool_env(fake.url),
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    return ToolRun(seconds, done.stdout, done.stderr, done.returncode, fake.take_counts())


def audit_command(regions: tuple[str, ...]) -> list[str]:
    """`cachewarden audit --format json` over `regions`, as an operator would run it."""
    region_args = [arg for region in regions for arg in ("--region", region)]
    return [sys.executable, "-m", "bot.cli", "audit", *region_args, "--format", "json"]


def audit_findings(run: ToolRun) -> list[dict[str, Any]]:
    if run.returncode != 0:
        raise RuntimeError(f"cachewarden audit exited {run.returncode}: {run.stderr[-2000:]}")
    findings: list[dict[str, Any]] = json.loads(run.stdout)["findings"]
    return findings
