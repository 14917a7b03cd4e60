"""Catalog fix text that could break production: rebuilds keep every setting, TLS says what changes."""

from __future__ import annotations

import pytest

from posture.catalog import FixKind, all_rules, get_rule
from tests.unit.catalog.cli_model import aws_commands

# Every rule whose fix is a rebuild into a new replication group, from the catalog.
REBUILD_RULES = tuple(
    rule.id
    for rule in all_rules()
    if rule.remediation.fix_kind is FixKind.REBUILD
    and "create-replication-group" in rule.remediation.cli
)
# Every setting a copy must repeat; the shard layout flags are named for cluster mode enabled.
KEPT_SETTINGS = (
    "--engine",
    "--engine-version",
    "--cache-node-type",
    "--num-cache-clusters",
    "--cache-parameter-group-name",
    "--cache-subnet-group-name",
    "--security-group-ids",
    "--port",
    "--automatic-failover-enabled",
    "--multi-az-enabled",
    "--transit-encryption-enabled",
    "--at-rest-encryption-enabled",
    "--auth-token",
    "--snapshot-retention-limit",
    "--snapshot-window",
    "--preferred-maintenance-window",
    "--notification-topic-arn",
    "--log-delivery-configurations",
    "--auto-minor-version-upgrade",
    "--tags",
    "--snapshot-name",
)


def _create(rule_id: str) -> list[str]:
    creates = [
        words
        for words in aws_commands(get_rule(rule_id).remediation.cli)
        if words[2] == "create-replication-group"
    ]
    assert len(creates) == 1
    return creates[0]


def test_the_rebuild_rules_are_found() -> None:
    assert len(REBUILD_RULES) >= 6  # encryption at rest, CMK, subnets, port, default VPC...


@pytest.mark.parametrize("rule_id", REBUILD_RULES)
def test_rebuild_text_recreates_the_cache_with_every_setting(rule_id: str) -> None:
    create = _create(rule_id)
    for flag in KEPT_SETTINGS:
        assert create.count(flag) == 1, f"{rule_id}: {flag} x{create.count(flag)}"
    cli = get_rule(rule_id).remediation.cli
    assert "--num-node-groups <shard-count> --replicas-per-node-group <replica-count>" in cli
    assert "--user-group-ids" in cli  # the RBAC alternative to a token
    # The token comes from Secrets Manager into the shell, never typed on the command line.
    assert create[create.index("--auth-token") + 1] == "$AUTH_TOKEN"
    assert any(words[1:3] == ["secretsmanager", "get-secret-value"] for words in aws_commands(cli))


@pytest.mark.parametrize(
    ("rule_id", "flag", "value"),
    [
        ("CW-104", "--kms-key-id", "<kms-key-arn>"),
        ("CW-301", "--cache-subnet-group-name", "<new-cache-subnet-group-name>"),
        ("CW-302", "--cache-subnet-group-name", "<new-cache-subnet-group-name>"),
        ("CW-306", "--port", "<new-port>"),
    ],
)
def test_rebuild_text_carries_the_fix(rule_id: str, flag: str, value: str) -> None:
    create = _create(rule_id)
    assert create[create.index(flag) + 1] == value


def test_tls_text_states_the_engine_limit_and_the_endpoint_change() -> None:
    step_one, step_two = get_rule("CW-101"), get_rule("CW-102")
    cli = step_one.remediation.cli
    assert "Redis OSS 7.0+ and Valkey 7.2+" in cli
    assert "in-transit-encryption-enable-python.html" in cli
    assert "new endpoint DNS names" in cli and "enable-python-best-practices.html" in cli
    assert "deletes the old non-TLS endpoint names" in step_two.remediation.cli
    for rule in (step_one, step_two):
        console = " ".join(rule.remediation.console)
        assert "endpoint" in console, rule.id
        assert "endpoint" in rule.backout, rule.id


@pytest.mark.parametrize("rule_id", ["CW-101", "CW-102"])
def test_tls_templates_do_not_touch_at_rest_encryption(rule_id: str) -> None:
    remediation = get_rule(rule_id).remediation
    terraform_lines = [
        line for line in remediation.terraform.splitlines() if not line.strip().startswith("#")
    ]
    assert not [line for line in terraform_lines if "at_rest_encryption_enabled" in line]
    assert "below 7.0.5 also forces replacement" in remediation.terraform
    cfn_lines = [
        line for line in remediation.cloudformation.splitlines() if not line.strip().startswith("#")
    ]
    assert not [line for line in cfn_lines if "AtRestEncryptionEnabled" in line]
