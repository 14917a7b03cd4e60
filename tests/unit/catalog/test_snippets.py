"""Every AWS CLI line names a real operation and real parameters; every template passes cfn-lint."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from posture.catalog import all_rules
from tests.unit.catalog.cli_model import aws_commands, check_command

SNIPPETS = [
    pytest.param(rule.id, kind, text, id=f"{rule.id}-{kind}")
    for rule in all_rules()
    for kind, text in (("audit", rule.audit), ("fix", rule.remediation.cli))
]


@pytest.mark.parametrize(("rule_id", "kind", "text"), SNIPPETS)
def test_cli_snippet_matches_botocore_model(rule_id: str, kind: str, text: str) -> None:
    commands = aws_commands(text)
    assert commands, f"{rule_id} {kind} has no aws command"
    for words in commands:
        check_command(words)


def test_checker_rejects_invented_parameter() -> None:
    with pytest.raises(AssertionError, match="no parameter --cache-subnet-group-name"):
        check_command(
            shlex.split(
                "aws elasticache modify-replication-group --replication-group-id x "
                "--cache-subnet-group-name private"
            )
        )


def test_checker_reads_commands_inside_a_substitution() -> None:
    commands = aws_commands(
        'export T="$(aws secretsmanager get-secret-value --secret-id s --query SecretString)"'
    )
    assert commands == [
        ["aws", "secretsmanager", "get-secret-value", "--secret-id", "s", "--query", "SecretString"]
    ]
    with pytest.raises(AssertionError, match="no parameter --secret-name"):
        check_command(shlex.split("aws secretsmanager get-secret-value --secret-name s"))


def test_checker_rejects_invented_operation() -> None:
    with pytest.raises(AssertionError, match="no operation"):
        check_command(["aws", "elasticache", "enable-encryption", "--replication-group-id", "x"])


def _cfn_lint() -> str:
    found = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    assert found, "cfn-lint is installed with the dev extra"
    return found


def test_every_cloudformation_template_passes_cfn_lint(tmp_path: Path) -> None:
    paths = []
    for rule in all_rules():
        if rule.remediation.cloudformation:
            path = tmp_path / f"{rule.id}.yaml"
            path.write_text(rule.remediation.cloudformation)
            paths.append(path)
    assert len(paths) >= 20
    result = subprocess.run(
        [_cfn_lint(), "--format", "parseable", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert not errors, "\n".join(errors)
