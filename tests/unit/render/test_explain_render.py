"""render_explain: rules and controls, complete yet within one message's limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.render.blocks import render_explain
from bot.slack.render.text import render_explain_text
from posture.catalog import Rule, all_controls, all_rules, resolve
from posture.explain import explain_document, rule_document
from tests.unit.render.slack_checks import HOSTILE, assert_inert, assert_within_limits, text_fields

MAX_CHARS = 12_000
REFERENCES = [
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html",
    "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html?a=1&b=2",
]
SHORT_TEMPLATE = "Resources:\n  Group:\n    Type: AWS::ElastiCache::ReplicationGroup\n"


def rule_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "CW-101",
        "title": "Encryption in transit is turned on",
        "severity": "high",
        "family": "encryption",
        "resource_kinds": ["replication_group", "serverless_cache"],
        "engines": ["redis", "valkey"],
        "aliases": {"security_hub": ["ElastiCache.5"], "checkov": ["CKV_AWS_30"]},
        "rationale": "Without TLS anyone on the network path can read cached data and AUTH tokens.",
        "audit": "aws elasticache describe-replication-groups \\\n  --query 'ReplicationGroups[].TransitEncryptionEnabled'",
        "remediation": {
            "fix_kind": "modify",
            "cli": "aws elasticache modify-replication-group --replication-group-id <id> \\\n"
            "  --transit-encryption-enabled --transit-encryption-mode preferred",
            "cloudformation": SHORT_TEMPLATE,
            "terraform": 'resource "aws_elasticache_replication_group" "x" {\n  transit_encryption_enabled = true\n}',
            "console": ["Open the ElastiCache console.", "Choose the group, then Modify."],
            "permissions": ["elasticache:ModifyReplicationGroup"],
        },
        "backout": "Set the transit encryption mode back to preferred before turning it off.",
        "compliance": ["PCI DSS 4.0 4.2.1", "HIPAA 164.312(e)(1)"],
        "permissions": ["elasticache:DescribeReplicationGroups"],
        "references": list(REFERENCES),
    }
    doc.update(changes)
    return doc


def control_doc(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "EC-014",
        "title": "Redis encryption in transit and at rest",
        "framework": "conformity",
        "severity": "high",
        "aliases": {},
        "rules": rules,
    }


def all_text(reply: tuple[str, list[dict[str, Any]]]) -> str:
    return "\n".join([reply[0], *text_fields(reply[1])])


def check(reply: tuple[str, list[dict[str, Any]]], links: list[str]) -> None:
    assert_within_limits(reply, max_chars=MAX_CHARS)
    assert_inert(reply, links=frozenset(links))


def test_rule_shows_every_part() -> None:
    reply = render_explain(rule_doc())
    check(reply, REFERENCES)
    text = all_text(reply)
    assert reply[1][0]["type"] == "header"
    assert reply[1][0]["text"]["text"] == "CW-101 Encryption in transit is turned on"
    for expected in (
        "*Severity:* HIGH",
        "by a modify call (the live resource changes; no new cache)",
        "Security Hub ElastiCache.5 · Checkov CKV_AWS_30",
        "Replication group, Serverless cache (redis, valkey)",
        "anyone on the network path",
        "```\naws elasticache describe-replication-groups",
        "--transit-encryption-enabled",
        "--replication-group-id &lt;id&gt;",
        "1. Open the ElastiCache console.",
        "2. Choose the group, then Modify.",
        "AWS::ElastiCache::ReplicationGroup",
        "transit_encryption_enabled = true",
        "back to preferred",
        "PCI DSS 4.0 4.2.1",
        "elasticache:ModifyReplicationGroup",
        "<https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html|",
        "?a=1&amp;b=2|",
        "cachewarden explain CW-101",
    ):
        assert expected in text, expected


def test_rebuild_fixes_say_so() -> None:
    doc = rule_doc()
    doc["remediation"] = {**doc["remediation"], "fix_kind": "rebuild"}
    assert "by rebuild" in all_text(render_explain(doc))


def test_long_cli_is_cut_and_long_templates_point_to_the_terminal() -> None:
    doc = rule_doc()
    doc["remediation"] = {
        **doc["remediation"],
        "cli": "aws elasticache modify-replication-group \\\n" * 400,
        "cloudformation": "Resources:\n" + "  # padding line for a long template\n" * 300,
        "terraform": None,
    }
    reply = render_explain(doc)
    check(reply, REFERENCES)
    text = all_text(reply)
    assert "…" in text
    assert "A complete CloudFormation form of this fix is available" in text
    assert "padding line" not in text
    assert "No Terraform form exists" in text


def test_everything_long_at_once_still_fits_one_message() -> None:
    doc = rule_doc(
        rationale="Long reasoning. " * 600,
        audit="aws elasticache describe-cache-clusters\n" * 300,
        backout="Undo carefully. " * 500,
        compliance=[f"Framework control {i}" for i in range(400)],
        references=[f"https://docs.aws.amazon.com/page-{i}.html" for i in range(200)],
    )
    doc["remediation"] = {
        **doc["remediation"],
        "console": [f"Step {i} with some words" for i in range(300)],
        "cli": "aws elasticache x\n" * 500,
        "cloudformation": SHORT_TEMPLATE * 30,
    }
    reply = render_explain(doc)
    check(reply, doc["references"])


def test_hostile_doc_renders_inert() -> None:
    doc = rule_doc(
        title=HOSTILE,
        rationale=HOSTILE,
        audit=HOSTILE,
        aliases={"security_hub": [HOSTILE]},
        references=["https://evil.example|click", "http://plain.example", *REFERENCES],
    )
    doc["remediation"] = {**doc["remediation"], "cli": HOSTILE, "console": [HOSTILE]}
    reply = render_explain(doc)
    check(reply, REFERENCES)
    assert "&lt;!channel&gt;" in json.dumps(reply)


def test_control_lists_its_rules_with_their_key_parts() -> None:
    second = rule_doc(id="CW-103", title="Encryption at rest is turned on", severity="medium")
    reply = render_explain(control_doc([rule_doc(), second]))
    check(reply, [])
    text = all_text(reply)
    assert (
        reply[1][0]["text"]["text"] == "EC-014 (Conformity) Redis encryption in transit and at rest"
    )
    for expected in (
        "covers 2 cachewarden rules",
        "`CW-101` Encryption in transit is turned on",
        "`CW-103` Encryption at rest is turned on",
        "anyone on the network path",
        "--transit-encryption-enabled",
        "*Severity:* MEDIUM",
        "cachewarden explain EC-014",
    ):
        assert expected in text, expected


def test_a_control_with_many_long_rules_stays_within_limits() -> None:
    rules = [
        rule_doc(id=f"CW-{100 + i}", rationale="Why. " * 400, audit="aws x\n" * 400)
        for i in range(30)
    ]
    reply = render_explain(control_doc(rules))
    check(reply, [])
    assert "CW-129" in all_text(reply)  # listed even when not detailed


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_every_catalog_rule_renders_within_limits(rule: Rule) -> None:
    doc = rule_document(rule)
    reply = render_explain(doc)
    check(reply, doc["references"])
    assert rule.id in reply[1][0]["text"]["text"]


@pytest.mark.parametrize("control", all_controls(), ids=lambda control: control.id)
def test_every_catalog_control_renders_within_limits(control: Any) -> None:
    try:
        doc = explain_document(resolve(control.id))
    except KeyError:
        pytest.skip("the catalog does not hold this control's rules yet")
    reply = render_explain(doc)
    check(reply, [])
    text = all_text(reply)
    assert all(rule_id in text for rule_id in control.rules)


def test_ec_014_renders_within_limits() -> None:
    try:
        doc = explain_document(resolve("EC-014"))
    except KeyError:
        pytest.skip("CW-101 and CW-103 are not in the catalog yet")
    reply = render_explain(doc)
    check(reply, [])
    assert "EC-014" in reply[0]


def test_explain_shows_the_failure_headline_and_how_other_tools_differ() -> None:
    rule = resolve("elasticache_redis_cluster_backup_enabled")
    assert isinstance(rule, Rule)
    doc = rule_document(rule)
    assert doc["category"] == "security" and doc["failure"] == rule.failure
    reply = render_explain(doc)
    check(reply, doc["references"])
    text = all_text(reply)
    assert "Where other tools differ" in text
    for alias, note in rule.alias_notes.items():
        assert alias in text and note[:60] in text
    assert rule.failure in text
    terminal = render_explain_text(doc)
    assert "Where other tools differ" in terminal and "When it fails" in terminal
    assert "minimum_snapshot_retention_period" in terminal


def test_a_rule_without_notes_has_no_differences_section() -> None:
    doc = rule_document(resolve("CW-404"))  # type: ignore[arg-type]
    assert "Where other tools differ" not in all_text(render_explain(doc))
