"""Per-resource agreement with Prowler, on literal json-ocsf and cachewarden records."""

from __future__ import annotations

from typing import Any

from bench.prowler_agreement import (
    Verdict,
    compare_all,
    compare_check,
    failing_rules,
    our_verdicts,
    parse_arn,
    prowler_check_ids,
    prowler_verdicts,
)

ACCOUNT, REGION = "123456789012", "eu-west-1"
TRANSIT = "elasticache_redis_cluster_in_transit_encryption_enabled"
SUBNET = "elasticache_cluster_uses_public_subnet"
AUTH = "elasticache_redis_replication_group_auth_enabled"


def _arn(kind: str, rid: str) -> str:
    return f"arn:aws:elasticache:{REGION}:{ACCOUNT}:{kind}:{rid}"


def _prowler(check: str, status: str, kind: str, rid: str) -> dict[str, Any]:
    return {
        "metadata": {"event_code": check},
        "status_code": status,
        "status_detail": f"{rid} is {status}",
        "resources": [{"uid": _arn(kind, rid), "name": rid}],
    }


def _ours(rule: str, status: str, kind: str, rid: str) -> dict[str, Any]:
    return {
        "rule_id": rule,
        "status": status,
        "resource_kind": kind,
        "resource_id": rid,
        "account": ACCOUNT,
        "region": REGION,
        "evidence": f"{rid} {status}",
    }


def _key(kind: str, rid: str) -> tuple[str, str, str, str]:
    return (ACCOUNT, REGION, kind, rid)


def test_the_catalog_maps_the_eight_shared_prowler_checks() -> None:
    checks = prowler_check_ids()
    assert len(checks) == 8
    assert checks[TRANSIT] == "CW-101"
    assert checks[SUBNET] == "CW-303"
    assert checks[AUTH] == "CW-201"


def test_arns_parse_into_account_region_kind_id() -> None:
    assert parse_arn(_arn("replicationgroup", "rg-1")) == _key("replication_group", "rg-1")
    assert parse_arn(_arn("cluster", "rg-1-001")) == _key("cache_cluster", "rg-1-001")
    assert parse_arn(_arn("serverlesscache", "s")) is None
    assert parse_arn("arn:aws:ec2:eu-west-1:1:subnet/subnet-1") is None
    assert parse_arn("") is None


def test_a_node_level_check_gives_the_group_verdict_to_every_member() -> None:
    findings = [_ours("CW-303", "fail", "replication_group", "rg-1")]
    members = {_key("replication_group", "rg-1"): ("rg-1-001", "rg-1-002")}
    verdicts = our_verdicts(findings, {SUBNET: "CW-303"}, members)
    assert set(verdicts[SUBNET]) == {
        _key("cache_cluster", "rg-1-001"),
        _key("cache_cluster", "rg-1-002"),
    }
    assert all(v.status == "fail" for v in verdicts[SUBNET].values())


def test_group_level_checks_stay_on_the_group() -> None:
    findings = [
        _ours("CW-101", "pass", "replication_group", "rg-1"),
        _ours("CW-999", "fail", "replication_group", "rg-1"),
    ]
    verdicts = our_verdicts(findings, {TRANSIT: "CW-101"}, {})
    assert verdicts == {TRANSIT: {_key("replication_group", "rg-1"): Verdict("pass", "rg-1 pass")}}


def test_every_outcome_is_counted_in_its_own_column() -> None:
    ours = {
        _key("replication_group", "same"): Verdict("fail"),
        _key("replication_group", "differ"): Verdict("pass", "ours"),
        _key("replication_group", "manual"): Verdict("fail"),
        _key("replication_group", "na"): Verdict("not_applicable"),
        _key("replication_group", "mine-only"): Verdict("pass"),
    }
    theirs = {
        _key("replication_group", "same"): Verdict("fail"),
        _key("replication_group", "differ"): Verdict("fail", "theirs"),
        _key("replication_group", "manual"): Verdict("manual"),
        _key("replication_group", "na"): Verdict("pass"),
        _key("replication_group", "theirs-only"): Verdict("pass"),
    }
    result = compare_check(TRANSIT, "CW-101", ours, theirs)
    assert (result.compared, result.agreed) == (2, 1)
    assert result.agreement == 0.5
    assert (result.prowler_manual, result.ours_not_comparable) == (1, 1)
    assert (result.only_ours, result.only_prowler) == (1, 1)
    [disagreement] = result.disagreements
    assert disagreement.resource == _key("replication_group", "differ")
    assert (disagreement.ours.detail, disagreement.prowler.detail) == ("ours", "theirs")


def test_end_to_end_from_records_with_the_rule_we_fail_instead() -> None:
    records = [
        _prowler(TRANSIT, "PASS", "replicationgroup", "rg-1"),
        _prowler(TRANSIT, "FAIL", "replicationgroup", "rg-2"),
        _prowler(AUTH, "MANUAL", "replicationgroup", "rg-1"),
    ]
    findings = [
        _ours("CW-101", "pass", "replication_group", "rg-1"),
        _ours("CW-101", "pass", "replication_group", "rg-2"),
        _ours("CW-102", "fail", "replication_group", "rg-2"),
        _ours("CW-201", "pass", "replication_group", "rg-1"),
    ]
    checks = {TRANSIT: "CW-101", AUTH: "CW-201"}
    results = compare_all(checks, our_verdicts(findings, checks, {}), prowler_verdicts(records))
    by_check = {r.check: r.summary(failing_rules(findings)) for r in results}
    assert [r.check for r in results] == sorted(checks)
    assert by_check[TRANSIT]["compared"] == 2 and by_check[TRANSIT]["agreed"] == 1
    [item] = by_check[TRANSIT]["disagreements"]
    assert item["resource"] == f"{ACCOUNT}/{REGION}/replication_group/rg-2"
    assert (item["cachewarden"], item["prowler"]) == ("pass", "fail")
    assert item["cachewarden_fails"] == ["CW-102"]
    assert by_check[AUTH]["compared"] == 0 and by_check[AUTH]["agreement"] is None
    assert by_check[AUTH]["prowler_manual"] == 1
