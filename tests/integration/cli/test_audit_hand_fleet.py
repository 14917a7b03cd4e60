"""`cachewarden audit` end to end on a hand-built fleet: exact findings, every format, scopes.

All runs of the module start together once the fleet is seeded; each test reads one run.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from tests.integration.cli.hand_fleet import (
    ACCOUNT,
    EXPECTED_FAILS,
    LEGACY,
    MEMCACHED,
    RBAC_OPEN,
    REGION,
    SCOPE_ID,
    SECURE,
    SERVERLESS,
    TAGGED_PAYMENTS,
    VALKEY_RESOURCES,
    seed_hand_fleet,
)
from tests.integration.cli.runner import (
    CliResult,
    Finding,
    cli_env,
    finding_of,
    resource_ids,
    run_audits,
    with_status,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("cli-hand-fleet")]

FINDING_KEYS = {
    "rule_id", "category", "headline", "aliases", "severity", "status", "resource_kind",
    "resource_id",
    "resource_arn", "account", "region", "engine", "evidence",
}  # fmt: skip
SCAN_KEYS = {"started", "finished", "accounts", "regions", "api_calls", "errors"}
RESOURCE_KINDS = ("replication_group", "cache_cluster", "serverless_cache")
IN_REGION = ("--region", REGION)
RUNS = {
    "json": [*IN_REGION, "--format", "json"],
    "csv": [*IN_REGION, "--format", "csv", "--fail-on", "high"],
    "ocsf": [*IN_REGION, "--format", "ocsf"],
    "table": [*IN_REGION],
    "one_id": [SECURE, *IN_REGION, "--format", "json"],
    "valkey": [*IN_REGION, "--engine", "valkey", "--format", "json"],
    "payments": [*IN_REGION, "--tag", "team=payments", "--format", "json"],
}


@pytest.fixture(scope="module")
def runs(fake_aws_url: str) -> dict[str, CliResult]:
    seed_hand_fleet(fake_aws_url)
    return run_audits(RUNS, cli_env(fake_aws_url), tty_stderr={"ocsf"})


@pytest.fixture(scope="module")
def findings(runs: dict[str, CliResult]) -> list[Finding]:
    result = runs["json"]
    assert result.returncode == 0, result.describe()
    return list(result.json()["findings"])


def _expected_fail_pairs() -> set[tuple[str, str]]:
    return {(resource, rule) for resource, rules in EXPECTED_FAILS.items() for rule in rules}


def test_json_has_the_documented_shape_and_exits_0_without_fail_on(
    runs: dict[str, CliResult],
) -> None:
    result = runs["json"]
    assert result.returncode == 0, result.describe()
    assert result.stderr == ""
    report = result.json()
    assert set(report) == {"scan", "findings"}
    scan = report["scan"]
    assert set(scan) == SCAN_KEYS
    assert scan["accounts"] == [ACCOUNT] and scan["regions"] == [REGION]
    assert scan["errors"] == []
    assert isinstance(scan["api_calls"], int) and scan["api_calls"] > 0
    assert datetime.fromisoformat(scan["started"]) <= datetime.fromisoformat(scan["finished"])
    assert report["findings"], "a seeded fleet yields findings"
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS, finding
        assert finding["evidence"]


def test_json_fails_exactly_the_expected_rules_per_resource(findings: list[Finding]) -> None:
    assert with_status(findings, "fail") == _expected_fail_pairs()
    assert with_status(findings, "error") == set()


def test_every_seeded_resource_is_assessed(findings: list[Finding]) -> None:
    assert resource_ids(findings, kinds=RESOURCE_KINDS) == {
        LEGACY, SECURE, RBAC_OPEN, MEMCACHED, SERVERLESS
    }  # fmt: skip


def test_the_compliant_group_passes_with_evidence(findings: list[Finding]) -> None:
    statuses = {f["status"] for f in findings if f["resource_id"] == SECURE}
    assert statuses == {"pass", "not_applicable"}
    expectations = {
        "CW-102": "required",
        "CW-104": "customer",
        "CW-202": "AUTH token",
        "CW-302": "apps-private",
        "CW-402": "7 days",
        "CW-404": "MultiAZ",
    }
    for rule, words in expectations.items():
        finding = finding_of(findings, SECURE, rule)
        assert finding["status"] == "pass", finding
        assert words.lower() in finding["evidence"].lower(), finding


def test_not_applicable_findings_say_why(findings: list[Finding]) -> None:
    reasons = {
        (MEMCACHED, "CW-103"): "memcached",
        (MEMCACHED, "CW-201"): "memcached",
        (LEGACY, "CW-202"): "predates rbac",
        (LEGACY, "CW-102"): "cw-101",  # the broader rule already reports plaintext
        (SECURE, "CW-201"): "cw-202",
        (SECURE, "CW-502"): "no tags",
    }
    for (resource, rule), words in reasons.items():
        finding = finding_of(findings, resource, rule)
        assert finding["status"] == "not_applicable", finding
        assert words in finding["evidence"].lower(), finding


def test_findings_name_their_resource_account_region_and_aliases(
    findings: list[Finding],
) -> None:
    open_port = finding_of(findings, LEGACY, "CW-304")
    assert open_port["severity"] == "critical"
    assert open_port["resource_kind"] == "replication_group"
    assert open_port["resource_arn"] == (
        f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:{LEGACY}"
    )
    assert (open_port["account"], open_port["region"]) == (ACCOUNT, REGION)
    assert open_port["engine"].startswith("redis 5.0")
    assert "0.0.0.0/0" in open_port["evidence"]
    in_transit = finding_of(findings, LEGACY, "CW-101")
    assert "EC-014" in _all_aliases(in_transit)
    assert "ElastiCache.5" in _all_aliases(in_transit)
    open_user = finding_of(findings, RBAC_OPEN, "CW-203")
    assert "default" in open_user["evidence"] and "on ~* +@all" in open_user["evidence"]
    trail = finding_of(findings, SCOPE_ID, "CW-503")
    assert (trail["resource_kind"], trail["region"]) == ("account_region", REGION)


def _all_aliases(finding: Finding) -> set[str]:
    aliases: dict[str, list[str]] = finding["aliases"]
    return {alias for ids in aliases.values() for alias in ids}


def test_csv_has_one_row_per_finding(runs: dict[str, CliResult], findings: list[Finding]) -> None:
    result = runs["csv"]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(findings)
    assert set(rows[0]) == FINDING_KEYS
    as_rows = {(r["resource_id"], r["rule_id"], r["status"]) for r in rows}
    assert as_rows == {(f["resource_id"], f["rule_id"], f["status"]) for f in findings}
    in_transit = next(r for r in rows if (r["resource_id"], r["rule_id"]) == (LEGACY, "CW-101"))
    assert "EC-014" in in_transit["aliases"]


def test_fail_on_high_exits_1_when_a_high_finding_fails(runs: dict[str, CliResult]) -> None:
    result = runs["csv"]
    assert result.returncode == 1, result.describe()
    assert result.stdout, "the report is printed before the exit code says it failed"


def test_ocsf_is_an_array_of_compliance_findings(
    runs: dict[str, CliResult], findings: list[Finding]
) -> None:
    result = runs["ocsf"]
    assert result.returncode == 0, result.describe()
    events: list[dict[str, Any]] = result.json()
    assert isinstance(events, list) and len(events) == len(findings)
    assert {event["class_uid"] for event in events} == {2003}
    failing = {
        (event["resources"][0]["name"], event["compliance"]["control"])
        for event in events
        if event["compliance"]["status"] == "Fail"
    }
    assert failing == _expected_fail_pairs()
    arns = {f["resource_arn"] or f["resource_id"] for f in findings}
    assert {event["resources"][0]["uid"] for event in events} == arns


def test_progress_goes_to_stderr_on_a_tty_and_leaves_stdout_clean(
    runs: dict[str, CliResult],
) -> None:
    result = runs["ocsf"]  # its stderr is a terminal
    assert f"scanned 1/1  ({ACCOUNT} {REGION})" in result.stderr
    assert result.json(), "stdout stays machine-readable"
    assert "scanned" not in result.stdout


def test_table_prints_failures_and_no_progress_without_a_tty(
    runs: dict[str, CliResult],
) -> None:
    result = runs["table"]
    assert result.returncode == 0, result.describe()
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "SEVERITY",
        "STATUS",
        "RULE",
        "CATEGORY",
        "ACCOUNT/REGION",
        "RESOURCE",
        "FINDING",
    ]
    rows = [line for line in lines[1:] if line.strip() and not line.endswith("not assessed.")]
    assert len(rows) == len(_expected_fail_pairs())
    assert rows[0].split()[:4] == ["critical", "fail", "CW-304", "security"]
    assert "Cache port open to 0.0.0.0/0 or ::/0: " in rows[0]
    assert lines[-1] == f"{len(rows)} failing, {_count(runs, 'pass')} passing, 0 not assessed."
    assert "\r" not in result.stdout and "\x1b" not in result.stdout


def _count(runs: dict[str, CliResult], status: str) -> int:
    return sum(1 for f in runs["json"].json()["findings"] if f["status"] == status)


def test_one_group_id_narrows_the_audit_to_that_group(
    runs: dict[str, CliResult], findings: list[Finding]
) -> None:
    result = runs["one_id"]
    assert result.returncode == 0, result.describe()
    narrowed = result.json()["findings"]
    assert {f["resource_id"] for f in narrowed} == {SECURE}
    full = {(f["rule_id"], f["status"]) for f in findings if f["resource_id"] == SECURE}
    assert {(f["rule_id"], f["status"]) for f in narrowed if f["resource_id"] == SECURE} == full


def test_engine_filter_keeps_only_valkey_resources(runs: dict[str, CliResult]) -> None:
    result = runs["valkey"]
    assert result.returncode == 0, result.describe()
    kept = result.json()["findings"]
    assert {f["resource_id"] for f in kept} == VALKEY_RESOURCES
    assert all(f["engine"].startswith("valkey") for f in kept)


def test_tag_filter_keeps_only_tagged_resources(runs: dict[str, CliResult]) -> None:
    result = runs["payments"]
    assert result.returncode == 0, result.describe()
    # Region-wide verdicts (CW-603 counts the region's nodes) would only see the tagged part.
    assert {f["resource_id"] for f in result.json()["findings"]} == TAGGED_PAYMENTS
