"""Explain on a finding: real values in the commands, a modal within Slack's limits."""

from __future__ import annotations

import json

from bot.slack.render.slack_explain_modal import render_explain_modal
from posture.base import ResourceKind, Severity
from posture.catalog import get_rule
from posture.finding_explain import fill_commands, finding_explanation, known_values
from posture.findings import Finding, Status
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits

SG = "sg-0123456789abcdef0"


def finding(rule_id: str, kind: ResourceKind, resource_id: str, evidence: str) -> Finding:
    return Finding(
        rule_id=rule_id,
        title="t",
        aliases={},
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        resource_kind=kind,
        resource_id=resource_id,
        resource_arn=f"arn:aws:elasticache:us-east-1:123456789012:cluster:{resource_id}",
        account="123456789012",
        region="us-east-1",
        engine="redis",
        evidence=evidence,
    )


OPEN_PORT = finding(
    "CW-304",
    ResourceKind.CACHE_CLUSTER,
    "orders-001",
    f"orders-001 is open to the internet: security group {SG} allows tcp 6379-6379 from "
    "0.0.0.0/0 (covers port 6379)",
)


def test_the_finding_fills_its_own_ids_port_and_security_group() -> None:
    doc = finding_explanation(get_rule("CW-304"), OPEN_PORT)
    assert "<security-group-id>" not in doc["audit"] + doc["fix"]
    assert f"--group-id {SG}" in doc["fix"] and "FromPort=6379" in doc["fix"]
    assert "--cache-cluster-id orders-001" in doc["audit"]
    assert "describe-serverless-caches" not in doc["audit"]  # another kind's variant
    assert "app-security-group-id" in doc["unfilled"]  # unknown values stay for the reader


def test_a_group_finding_fills_the_group_id() -> None:
    doc = finding_explanation(
        get_rule("CW-101"),
        finding("CW-101", ResourceKind.REPLICATION_GROUP, "orders-prod", "no TLS"),
    )
    assert "--replication-group-id orders-prod" in doc["fix"]
    assert "<replication-group-id>" not in doc["audit"] + doc["fix"]


def test_two_security_groups_are_left_for_the_reader() -> None:
    values = known_values(
        finding("CW-304", ResourceKind.CACHE_CLUSTER, "c", f"{SG} and sg-0fedcba9876543210 open")
    )
    assert "security-group-id" not in values


def test_continuation_lines_stay_with_their_command() -> None:
    text = "aws a \\\n  --x <cache-cluster-id>\naws b \\\n  --y <serverless-cache-name>\n"
    assert fill_commands(text, {"cache-cluster-id": "c1"}) == "aws a \\\n  --x c1"


def test_modal_is_within_limits_and_inert() -> None:
    hostile = finding("CW-304", ResourceKind.CACHE_CLUSTER, "orders-001", HOSTILE * 20)
    view = render_explain_modal(finding_explanation(get_rule("CW-304"), hostile))
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    assert_within_limits(("Explain", view["blocks"]))
    assert_inert(("Explain", view["blocks"]))
    assert "/cache-explain CW-304" in json.dumps(view)
