"""Finding headlines and categories, and the exports that carry them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from posture.base import ResourceKind, Severity
from posture.catalog import all_rules
from posture.catalog.model import RuleCategory
from posture.export import to_csv, to_json, to_ocsf
from posture.findings import Finding, Status


def finding(rule_id: str = "CW-405", status: Status = Status.FAIL, **extra: Any) -> Finding:
    data: dict[str, Any] = {
        "rule_id": rule_id,
        "title": "the desired state",
        "aliases": {"security_hub": ("ElastiCache.2",)},
        "severity": Severity.HIGH,
        "status": status,
        "resource_kind": ResourceKind.REPLICATION_GROUP,
        "resource_id": "orders",
        "resource_arn": "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:orders",
        "account": "123456789012",
        "region": "eu-west-1",
        "engine": "redis 7.1",
        "evidence": "AutoMinorVersionUpgrade is false",
        **extra,
    }
    return Finding.model_validate(data)


@pytest.mark.parametrize(
    ("status", "headline"),
    [
        pytest.param(Status.FAIL, "Auto minor version upgrade is off", id="fail"),
        pytest.param(Status.SUPPRESSED, "Auto minor version upgrade is off", id="suppressed"),
        pytest.param(Status.PASS, "the desired state", id="pass"),
        pytest.param(Status.NOT_APPLICABLE, "the desired state", id="not-applicable"),
        pytest.param(Status.ERROR, "the desired state", id="error"),
    ],
)
def test_headline_is_the_failure_only_while_failing(status: Status, headline: str) -> None:
    assert finding(status=status).headline == headline


def test_findings_stored_without_the_new_fields_take_them_from_the_catalog() -> None:
    stored = finding("CW-609")
    assert stored.category is RuleCategory.COST and stored.is_cost
    assert stored.failure == "Reserved node is not matched by any running node"


def test_an_unknown_rule_falls_back_to_its_title() -> None:
    marker = finding("SCAN")
    assert marker.category is RuleCategory.SECURITY and marker.headline == "the desired state"


def test_explicit_values_win_over_the_catalog() -> None:
    given = finding(failure="Port 6379 open to 0.0.0.0/0", category=RuleCategory.SECURITY)
    assert given.headline == "Port 6379 open to 0.0.0.0/0"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_gives_a_failing_finding_its_failure_headline(rule: Any) -> None:
    failing = finding(rule.id, title=rule.title)
    assert failing.headline == rule.failure != rule.title
    assert failing.category is rule.category


def test_json_and_csv_carry_category_and_headline() -> None:
    rows = [finding(), finding("CW-604", status=Status.PASS)]
    records = json.loads(to_json(rows, {}))["findings"]
    assert [(r["category"], r["headline"]) for r in records] == [
        ("security", "Auto minor version upgrade is off"),
        ("cost", "the desired state"),
    ]
    table = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert [(r["category"], r["headline"]) for r in table] == [
        ("security", "Auto minor version upgrade is off"),
        ("cost", "the desired state"),
    ]


def test_ocsf_title_is_the_headline_and_types_name_the_category() -> None:
    (event,) = json.loads(to_ocsf([finding("CW-604")], generated_at=datetime.now(UTC), version="1"))
    assert event["finding_info"]["title"] == (
        "Cache is idle: its busiest node stays under the CPU threshold"
    )
    assert event["finding_info"]["types"] == ["CW-604", "cost"]
