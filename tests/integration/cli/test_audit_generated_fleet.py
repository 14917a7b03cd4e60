"""`cachewarden audit` on a generated fleet: two accounts through roles, two regions.

The fleet manifest names what every resource has wrong; the audit must fail exactly
the rules those settings map to, on exactly those resources, and nothing else.
"""

from __future__ import annotations

import pytest

from sandbox.fake_aws.fleet import seed_fleet
from sandbox.fake_aws.fleet_model import (
    BAD_SETTING_RULES,
    DEFAULT_ACCOUNT,
    MIN_RETENTION_DAYS,
    REQUIRED_TAGS,
    TOKEN_MAX_AGE_DAYS,
    TRUSTED_CIDR,
    FleetManifest,
    FleetSpec,
)
from tests.integration.cli.aws_clients import fake_client, role_keys
from tests.integration.cli.runner import CliResult, Finding, cli_env, run_audit

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("cli-generated-fleet")]

SPEC = FleetSpec(
    groups=20,
    regions=("us-east-1", "eu-west-1"),
    accounts=(DEFAULT_ACCOUNT, "210987654321"),
    memcached_clusters=3,
    serverless_caches=2,
)
# The policy the fleet generator assumes when it calls a setting good or bad.
POLICY = f"""
[tags]
required = {list(REQUIRED_TAGS)!r}
allowed_values = {{ {", ".join(f'{k} = ["{v}"]' for k, v in REQUIRED_TAGS.items())} }}

[network]
trusted_cidrs = ["{TRUSTED_CIDR}"]

[backups]
minimum_retention_days = {MIN_RETENTION_DAYS}

[auth]
maximum_token_age_days = {TOKEN_MAX_AGE_DAYS}
"""
# A rule reported not-applicable while the broader rule beside it fails, so that one
# problem is raised once (the manifest lists both for the same bad setting).
DEFERRED_TO = {"CW-102": "CW-101", "CW-104": "CW-103", "CW-402": "CW-401"}
SNAPSHOT_SUFFIX = "-manual"  # the generator's name for a group's manual snapshot
Located = tuple[str, str, str, str]  # account, region, resource id, rule id


def _record_default_trail_selectors(url: str) -> None:
    """AWS gives a new trail a selector for all management events; moto gives none."""
    for account in SPEC.accounts:
        for region in SPEC.regions_with_trail():
            cloudtrail = fake_client(
                url, "cloudtrail", region, role_keys(url, account, SPEC.role_name)
            )
            for trail in cloudtrail.describe_trails()["trailList"]:
                cloudtrail.put_event_selectors(
                    TrailName=trail["Name"],
                    EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
                )


@pytest.fixture(scope="module")
def fleet(fake_aws_url: str) -> FleetManifest:
    manifest = seed_fleet(fake_aws_url, SPEC)
    _record_default_trail_selectors(fake_aws_url)
    return manifest


@pytest.fixture(scope="module")
def audit(
    fleet: FleetManifest, fake_aws_url: str, tmp_path_factory: pytest.TempPathFactory
) -> CliResult:
    config = tmp_path_factory.mktemp("fleet-config") / "cachewarden.toml"
    config.write_text(POLICY, encoding="utf-8")
    roles = [f"arn:aws:iam::{account}:role/{SPEC.role_name}" for account in SPEC.accounts]
    args = [word for role in roles for word in ("--role-arn", role)]
    args += [word for region in SPEC.regions for word in ("--region", region)]
    return run_audit([*args, "--format", "json"], cli_env(fake_aws_url, config))


@pytest.fixture(scope="module")
def findings(audit: CliResult) -> list[Finding]:
    assert audit.returncode == 0, audit.describe()
    return list(audit.json()["findings"])


def _resource_rules(manifest: FleetManifest) -> set[Located]:
    expected: set[Located] = set()
    for record in manifest.resources():
        rules = record.rules()
        rules -= {rule for rule, broader in DEFERRED_TO.items() if broader in rules}
        for rule in rules:
            target = record.resource_id + (SNAPSHOT_SUFFIX if rule == "CW-105" else "")
            expected.add((record.account, record.region, target, rule))
    return expected


def expected_fails(manifest: FleetManifest) -> set[Located]:
    """Every (account, region, resource, rule) the manifest's bad settings call for."""
    expected = _resource_rules(manifest)
    for region in manifest.regions:
        scope_id = f"{region.account}/{region.region}"
        for rule in {rule for setting in region.bad for rule in _rules_of(setting)}:
            expected.add((region.account, region.region, scope_id, rule))
    for account, settings in manifest.account_bad.items():
        for rule in {rule for setting in settings for rule in _rules_of(setting)}:
            expected.add((account, "global", account, rule))
    return expected


def _rules_of(setting: str) -> tuple[str, ...]:
    return BAD_SETTING_RULES[setting]


def _located(findings: list[Finding], status: str) -> set[Located]:
    return {
        (f["account"], f["region"], f["resource_id"], f["rule_id"])
        for f in findings
        if f["status"] == status
    }


def test_two_accounts_and_two_regions_are_scanned(
    audit: CliResult, findings: list[Finding]
) -> None:
    assert audit.stderr == ""
    scan = audit.json()["scan"]
    assert scan["accounts"] == sorted(SPEC.accounts)
    assert scan["regions"] == sorted(SPEC.regions)
    assert scan["errors"] == []
    places = {(f["account"], f["region"]) for f in findings if f["region"] != "global"}
    assert places == {(account, region) for account in SPEC.accounts for region in SPEC.regions}


def test_every_generated_resource_is_assessed(
    fleet: FleetManifest, findings: list[Finding]
) -> None:
    assessed = {(f["account"], f["region"], f["resource_id"]) for f in findings}
    created = {(r.account, r.region, r.resource_id) for r in fleet.resources()}
    assert created <= assessed
    assert not [f for f in findings if f["status"] == "error"]


def test_failures_match_the_manifest_exactly(fleet: FleetManifest, findings: list[Finding]) -> None:
    expected = expected_fails(fleet)
    actual = _located(findings, "fail")
    assert actual - expected == set(), "failing without a bad setting to explain it"
    assert expected - actual == set(), "a bad setting the audit missed"


def test_compliant_resources_fail_nothing(fleet: FleetManifest, findings: list[Finding]) -> None:
    compliant = {(r.account, r.region, r.resource_id) for r in fleet.resources() if r.compliant}
    assert len(compliant) >= 6, "the generator makes every third group compliant"
    failing = {(account, region, rid) for account, region, rid, _ in _located(findings, "fail")}
    assert compliant & failing == set()
    passing = {(account, region, rid) for account, region, rid, _ in _located(findings, "pass")}
    assert compliant <= passing
