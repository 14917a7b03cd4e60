"""evaluate()/evaluate_all(): findings carry catalog metadata and honour the policy.

These read titles, aliases and severities from posture.catalog, so they need the full
catalog of 36 rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from posture.base import ResourceKind, Severity
from posture.catalog import all_rules, get_rule
from posture.evaluate import evaluate
from posture.findings import Finding, Status
from posture.policy import OrgPolicy
from posture.resources import Inventory
from posture.rules.registry import rule_ids
from tests.unit.rules.world import ACCOUNT, NOW, REGION, arn, inventory, policy, replication_group

FAILING = {
    "TransitEncryptionEnabled": False,
    "TransitEncryptionMode": None,
    "SnapshotRetentionLimit": 0,
}


def by_rule(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def test_registry_and_catalog_hold_the_same_rules() -> None:
    assert {rule.id for rule in all_rules()} == set(rule_ids())


def test_compliant_group_passes_everything_it_is_checked_for() -> None:
    _, inv = replication_group()
    findings = evaluate(inv, policy())
    assert findings
    bad = [
        (f.rule_id, f.evidence)
        for f in findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
    ]
    assert bad == []
    assert all(f.evidence for f in findings)


def test_finding_carries_rule_resource_and_engine() -> None:
    _, inv = replication_group(group=FAILING)
    [finding] = by_rule(evaluate(inv, policy()), "CW-101")
    rule = get_rule("CW-101")
    assert finding.status is Status.FAIL
    assert (finding.title, finding.severity) == (rule.title, rule.severity)
    assert "EC-014" in finding.aliases.get("conformity", ())
    assert finding.resource_kind is ResourceKind.REPLICATION_GROUP
    assert (finding.resource_id, finding.resource_arn) == (
        "orders",
        arn("replicationgroup", "orders"),
    )
    assert (finding.account, finding.region, finding.engine) == (ACCOUNT, REGION, "redis 7.1.0")


def test_member_clusters_produce_no_findings_of_their_own() -> None:
    _, inv = replication_group()
    ids = {f.resource_id for f in evaluate(inv, policy())}
    assert "orders-001" not in ids and "orders" in ids


def test_disabled_rules_are_skipped_by_id_alias_or_control() -> None:
    _, inv = replication_group(group=FAILING)
    by_id = evaluate(inv, policy(rules={"disabled": ["cw-401"]}))
    by_control = evaluate(inv, policy(rules={"disabled": ["EC-014"]}))
    assert not by_rule(by_id, "CW-401") and by_rule(by_id, "CW-101")
    assert not by_rule(by_control, "CW-101") and not by_rule(by_control, "CW-103")
    assert by_rule(by_control, "CW-401")


def test_severity_override_by_rule_id_beats_alias() -> None:
    _, inv = replication_group(group=FAILING)
    overrides = {"CW-101": "low", "EC-014": "critical"}
    findings = evaluate(inv, policy(rules={"severity": overrides}))
    assert by_rule(findings, "CW-101")[0].severity is Severity.LOW
    assert by_rule(findings, "CW-103")[0].severity is Severity.CRITICAL


def test_collection_error_replaces_starved_rules_with_one_region_error() -> None:
    error = {
        "Operation": "DescribeSecurityGroups",
        "Code": "UnauthorizedOperation",
        "Message": "no ec2 access",
    }
    _, inv = replication_group(SecurityGroups=[], Errors=[error])
    findings = evaluate(inv, policy())
    for rule_id in ("CW-304", "CW-305"):
        [finding] = by_rule(findings, rule_id)
        assert finding.status is Status.ERROR
        assert finding.resource_kind is ResourceKind.ACCOUNT_REGION
        assert finding.resource_id == f"{ACCOUNT}/{REGION}"
        assert (
            "DescribeSecurityGroups failed with UnauthorizedOperation: no ec2 access"
            in finding.evidence
        )
    assert by_rule(findings, "CW-101")[0].status is Status.PASS


def test_now_defaults_to_collection_time() -> None:
    node = {
        "ReservedCacheNodeId": "ri-1",
        "CacheNodeType": "cache.r7g.large",
        "StartTime": (NOW - timedelta(days=361)).isoformat(),
        "Duration": 365 * 24 * 3600,
        "State": "active",
    }
    _, inv = replication_group(ReservedNodes=[node])
    assert by_rule(evaluate(inv, policy()), "CW-605")[0].status is Status.FAIL
    later = evaluate(inv, policy(), now=NOW + timedelta(days=10))
    assert by_rule(later, "CW-605")[0].status is Status.NOT_APPLICABLE


def test_scope_rules_need_their_data() -> None:
    without = evaluate(inventory(), policy())
    assert not by_rule(without, "CW-503") and not by_rule(without, "CW-505")
    [node_count] = by_rule(without, "CW-603")
    assert node_count.resource_id == f"{ACCOUNT}/{REGION}" and node_count.engine is None


def test_evaluate_all_reports_account_wide_rules_once() -> None:
    iam = [
        {
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/ops",
            "AttachedTo": ["arn:aws:iam::1:role/x"],
            "AllowsBroadElasticache": True,
        }
    ]
    regions = [
        inventory(Region=region, IamPolicies=iam, Trails=[])
        for region in ("eu-west-1", "us-east-1")
    ]
    findings = evaluate_all(regions, policy(), now=NOW)
    [account_wide] = by_rule(findings, "CW-505")
    assert (account_wide.region, account_wide.resource_kind) == ("global", ResourceKind.ACCOUNT)
    assert account_wide.status is Status.FAIL
    assert {f.region for f in by_rule(findings, "CW-503")} == {"eu-west-1", "us-east-1"}


def evaluate_all(
    inventories: Iterable[Inventory], policy: OrgPolicy, *, now: datetime | None = None
) -> list[Finding]:
    """Findings for many regions, an account-wide finding kept once (by its key)."""
    seen: set[tuple[str, ...]] = set()
    findings: list[Finding] = []
    for region in inventories:
        for finding in evaluate(region, policy, now=now):
            if finding.key not in seen:
                seen.add(finding.key)
                findings.append(finding)
    return findings
