"""`cachewarden audit` exit codes, a region answering AccessDenied, and usage errors.

The fleet has no world-open security group, so nothing is critical while high findings
fail. eu-west-1 denies DescribeReplicationGroups for the whole module.
"""

from __future__ import annotations

from typing import Any

import pytest

from posture.base import ResourceKind
from posture.rules.registry import rules_for_kind
from sandbox.fake_aws import inject_fault
from tests.integration.cli.aws_clients import fake_client
from tests.integration.cli.runner import CliResult, Finding, cli_env, run_audits, with_status

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("cli-failures")]

ACCOUNT = "123456789012"
HOME, DENIED = "us-east-1", "eu-west-1"
GROUPS = {HOME: "carts-home", DENIED: "carts-denied"}
UNREACHABLE, REACHABLE = "111111111111", "222222222222"  # the first role assumed is denied
BOTH_REGIONS = ("--region", HOME, "--region", DENIED, "--format", "json")
# Rules on replication groups: without DescribeReplicationGroups none can be assessed.
GROUP_RULES = rules_for_kind(ResourceKind.REPLICATION_GROUP)
RUNS = {
    "home_critical": ["--region", HOME, "--format", "json", "--fail-on", "critical"],
    "denied_high": [*BOTH_REGIONS, "--fail-on", "high"],
    "denied_ids_critical": [*GROUPS.values(), *BOTH_REGIONS, "--fail-on", "critical"],
    "denied_allow_partial": [*BOTH_REGIONS, "--fail-on", "critical", "--allow-partial"],
    "denied_table": ["--region", HOME, "--region", DENIED],
    "role_denied": [
        *("--role-arn", f"arn:aws:iam::{UNREACHABLE}:role/audit"),
        *("--role-arn", f"arn:aws:iam::{REACHABLE}:role/audit"),
        *("--region", HOME, "--format", "json", "--fail-on", "high"),
    ],
    "bad_region": ["--region", "mars"],
    "bad_tag": ["--tag", "team"],
    "bad_format": ["--format", "xml"],
    "bad_config": ["--region", HOME],
}
BAD_CONFIG = "[backups]\nminimum_retention_day = 7\n"  # the key is minimum_retention_days


def _seed(url: str) -> None:
    """One Redis 7.1 group per region on the default security group: high, not critical."""
    for region, group_id in GROUPS.items():
        elasticache = fake_client(url, "elasticache", region)
        elasticache.create_replication_group(
            ReplicationGroupId=group_id,
            ReplicationGroupDescription="carts",
            Engine="redis",
            EngineVersion="7.1",
            CacheNodeType="cache.t4g.small",
            NumCacheClusters=1,
        )


@pytest.fixture(scope="module")
def runs(fake_aws_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliResult]:
    _seed(fake_aws_url)
    inject_fault(
        fake_aws_url,
        "elasticache",
        "AccessDenied",
        operation="DescribeReplicationGroups",
        region=DENIED,
        status=403,
        count=None,
    )
    # Only "role_denied" assumes roles, one after the other: the first one is refused.
    inject_fault(fake_aws_url, "sts", "AccessDenied", operation="AssumeRole", status=403, count=1)
    config = tmp_path_factory.mktemp("cli-config") / "cachewarden.toml"
    config.write_text(BAD_CONFIG, encoding="utf-8")
    env = cli_env(fake_aws_url)
    return run_audits(RUNS, env, env_for={"bad_config": cli_env(fake_aws_url, config)})


def _findings(result: CliResult) -> list[Finding]:
    return list(result.json()["findings"])


def _in_regions(findings: list[Finding], *regions: str) -> set[tuple[Any, ...]]:
    keys = ("rule_id", "resource_id", "status", "severity", "evidence")
    return {tuple(f[k] for k in keys) for f in findings if f["region"] in regions}


def test_fail_on_critical_exits_0_when_only_high_findings_fail(
    runs: dict[str, CliResult],
) -> None:
    result = runs["home_critical"]
    assert result.returncode == 0, result.describe()
    findings = _findings(result)
    failing = {f["severity"] for f in findings if f["status"] == "fail"}
    assert "high" in failing and "critical" not in failing
    assert (GROUPS[HOME], "CW-304") in with_status(findings, "pass")


def test_denied_region_yields_error_findings_naming_what_was_not_assessed(
    runs: dict[str, CliResult],
) -> None:
    report = runs["denied_high"].json()
    assert report["scan"]["regions"] == sorted((HOME, DENIED))
    assert [(e["region"], e["operation"], e["code"]) for e in report["scan"]["errors"]] == [
        (DENIED, "DescribeReplicationGroups", "AccessDenied")
    ]
    errors = [f for f in report["findings"] if f["status"] == "error"]
    assert {f["rule_id"] for f in errors} >= GROUP_RULES
    for finding in errors:
        assert (finding["region"], finding["resource_kind"]) == (DENIED, "account_region")
        assert finding["resource_id"] == f"{ACCOUNT}/{DENIED}"
        assert f"{finding['rule_id']} could not be assessed" in finding["evidence"]
        assert "DescribeReplicationGroups" in finding["evidence"]
        assert "AccessDenied" in finding["evidence"]


def test_denied_region_claims_no_pass_or_fail_for_the_rules_it_could_not_assess(
    runs: dict[str, CliResult],
) -> None:
    findings = _findings(runs["denied_high"])
    blocked = {f["rule_id"] for f in findings if f["status"] == "error"}
    judged = [f for f in findings if f["region"] == DENIED and f["status"] in ("pass", "fail")]
    assert not [f for f in judged if f["rule_id"] in blocked]
    assert GROUPS[DENIED] not in {f["resource_id"] for f in findings}


def test_the_other_region_is_complete(runs: dict[str, CliResult]) -> None:
    alone = _in_regions(_findings(runs["home_critical"]), HOME, "global")
    beside_denied = _in_regions(_findings(runs["denied_high"]), HOME, "global")
    assert beside_denied == alone
    assert {row[1] for row in alone} >= {GROUPS[HOME]}


def test_exit_code_follows_fail_on_despite_the_denied_region(
    runs: dict[str, CliResult],
) -> None:
    assert runs["denied_high"].returncode == 1, runs["denied_high"].describe()
    narrowed = runs["denied_ids_critical"]
    assert narrowed.returncode == 3, narrowed.describe()  # nothing critical, a region unassessed


@pytest.mark.parametrize("run", ["denied_ids_critical", "denied_table", "role_denied"])
def test_a_partial_scan_exits_3_and_says_why_on_stderr(
    runs: dict[str, CliResult], run: str
) -> None:
    result = runs[run]
    assert result.returncode == 3, result.describe()
    assert "could not be assessed" in result.stderr
    assert "--allow-partial" in result.stderr


def test_allow_partial_accepts_a_partial_scan(runs: dict[str, CliResult]) -> None:
    result = runs["denied_allow_partial"]
    assert result.returncode == 0, result.describe()
    assert any(f["status"] == "error" for f in _findings(result))


def test_an_audit_of_named_groups_keeps_the_denied_regions_errors(
    runs: dict[str, CliResult],
) -> None:
    findings = _findings(runs["denied_ids_critical"])
    errors = {(f["region"], f["rule_id"]) for f in findings if f["status"] == "error"}
    assert {(DENIED, rule) for rule in GROUP_RULES} <= errors
    judged = {f["resource_id"] for f in findings if f["status"] != "error"}
    assert judged == {GROUPS[HOME]}, "only the named groups, no region-wide verdicts"


def test_an_account_that_cannot_be_reached_is_an_error_finding_and_a_scan_error(
    runs: dict[str, CliResult],
) -> None:
    result = runs["role_denied"]
    assert result.returncode == 3, result.describe()  # not a failure, but not complete either
    report = result.json()
    assert report["scan"]["accounts"] == [REACHABLE]
    assert [(e["account_id"], e["operation"], e["code"]) for e in report["scan"]["errors"]] == [
        (UNREACHABLE, "AssumeRole", "AccessDenied")
    ]
    (error,) = [f for f in report["findings"] if f["status"] == "error"]
    assert (error["resource_kind"], error["resource_id"]) == ("account", UNREACHABLE)
    assert "could not be assessed: AssumeRole answered AccessDenied" in error["evidence"]
    assert {f["account"] for f in report["findings"]} == {UNREACHABLE, REACHABLE}


@pytest.mark.parametrize(
    ("run", "words"),
    [
        ("bad_region", "`mars` is not an AWS region name"),
        ("bad_tag", "tag=<key>=<value>"),
        ("bad_format", "invalid choice: 'xml'"),
    ],
)
def test_usage_errors_exit_2_with_a_message_on_stderr(
    runs: dict[str, CliResult], run: str, words: str
) -> None:
    result = runs[run]
    assert result.returncode == 2, result.describe()
    assert result.stdout == ""
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_config_exits_2_and_names_the_key(runs: dict[str, CliResult]) -> None:
    result = runs["bad_config"]
    assert result.returncode == 2, result.describe()
    assert result.stdout == ""
    assert "backups.minimum_retention_day" in result.stderr
    assert "unknown key" in result.stderr
    assert "cachewarden.toml" in result.stderr  # the file, so the user knows where to look
    assert "Traceback" not in result.stderr
