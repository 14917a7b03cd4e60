"""deploy/alerts/: CloudFormation linted with cfn-lint; Terraform formatted (and validated when
its provider can be installed); both carry exactly the patterns the parser understands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from posture.alerts import event_patterns

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "alerts"
CFN = sorted((DEPLOY / "cloudformation").glob("*.json"))
TF = [DEPLOY / "terraform" / "central", DEPLOY / "terraform" / "forwarder"]


def _template(name: str) -> dict[str, Any]:
    return dict(json.loads((DEPLOY / "cloudformation" / f"{name}.json").read_text()))


def test_cfn_lint_passes_on_every_template() -> None:
    assert len(CFN) == 2
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), *map(str, CFN)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pattern_file_and_every_rule_carry_the_parsers_patterns() -> None:
    elasticache, ec2 = event_patterns()
    shared = json.loads((DEPLOY / "event-patterns.json").read_text())
    assert shared == {"elasticache": elasticache, "ec2": ec2}
    rules = [
        r["Properties"]
        for name in ("central", "forwarder")
        for r in _template(name)["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
    ]
    assert len(rules) == 6
    for rule in rules:
        assert rule["State"] == "ENABLED"  # never ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
        assert rule["EventPattern"] in (elasticache, ec2)


def test_the_queue_has_a_dlq_sse_and_a_policy_scoped_to_the_rules() -> None:
    resources = _template("central")["Resources"]
    queue = resources["AlertQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] and queue["ReceiveMessageWaitTimeSeconds"] == 20
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["DeadLetterQueue", "Arn"]
    }
    statement = resources["QueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    rules = [n for n, r in resources.items() if r["Type"] == "AWS::Events::Rule"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Fn::GetAtt": [n, "Arn"]} for n in rules
    ]
    for name in rules:
        target = resources[name]["Properties"]["Targets"][0]
        assert "RoleArn" not in target  # SQS targets use the queue policy, not a role
        assert target["DeadLetterConfig"] and target["RetryPolicy"]


def test_terraform_is_canonically_formatted_and_mirrors_the_cloudformation() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    for module in TF:
        result = subprocess.run([terraform, "fmt", "-check", "-diff", str(module)],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
    central = (DEPLOY / "terraform" / "central" / "main.tf").read_text()
    forwarder = (DEPLOY / "terraform" / "forwarder" / "main.tf").read_text()
    for text in (central, forwarder):
        assert 'file("${path.module}/../../event-patterns.json")' in text
        assert re.findall(r'state\s+= "(\w+)"', text) == ["ENABLED"]
    for needle in ("aws_sqs_queue\" \"dlq\"", "redrive_policy", "sqs_managed_sse_enabled",
                   "aws:PrincipalOrgID", "aws:SourceArn", "dead_letter_config"):  # fmt: skip
        assert needle in central
    assert "role_arn" in forwarder


def test_terraform_validate_when_the_aws_provider_can_be_installed() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    for module in TF:
        with tempfile.TemporaryDirectory() as work:
            copy = Path(work) / "alerts"
            shutil.copytree(DEPLOY, copy)
            where = copy / "terraform" / module.name
            env = {**os.environ, "TF_IN_AUTOMATION": "1"}
            try:
                init = subprocess.run([terraform, "init", "-backend=false", "-input=false"],
                                      cwd=where, capture_output=True, text=True, env=env, timeout=30)  # fmt: skip
            except subprocess.TimeoutExpired:
                pytest.skip("the Terraform registry is not reachable (offline): validate skipped")
            if init.returncode != 0:
                pytest.skip("the AWS provider could not be installed: validate skipped")
            valid = subprocess.run(
                [terraform, "validate"], cwd=where, capture_output=True, text=True
            )
            assert valid.returncode == 0, valid.stdout + valid.stderr
