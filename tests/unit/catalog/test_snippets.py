"""Every AWS CLI line names a real operation and real parameters; every template passes cfn-lint."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name
from botocore.model import ServiceModel

from posture.catalog import all_rules

# The AWS CLI renames a few parameters (awscli/customizations/argrename.py).
CLI_RENAMES = {("sns", "subscribe", "notification-endpoint"): "endpoint"}
GLOBAL_OPTIONS = {"query", "output", "region", "profile", "no-cli-pager", "endpoint-url"}
# The CLI names some services differently from botocore.
SERVICE_NAMES = {"resourcegroupstaggingapi": "resourcegroupstaggingapi", "s3api": "s3"}


@cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE_NAMES.get(service, service))


def _commands(text: str) -> list[list[str]]:
    """Split a snippet into `aws ...` commands, joining backslash continuations."""
    joined = text.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped.startswith("aws "):
            commands.append(shlex.split(stripped, comments=True))
    return commands


def _check_command(words: list[str]) -> None:
    service, operation_kebab = words[1], words[2]
    model = _model(service)
    by_kebab = {xform_name(name, "-"): name for name in model.operation_names}
    assert operation_kebab in by_kebab, f"{service} has no operation {operation_kebab}"
    input_shape = model.operation_model(by_kebab[operation_kebab]).input_shape
    members = input_shape.members if input_shape is not None else {}
    flags = {xform_name(name, "-"): shape for name, shape in members.items()}
    for word in words[3:]:
        if not word.startswith("--"):
            continue
        flag = word[2:].split("=", 1)[0]
        flag = CLI_RENAMES.get((service, operation_kebab, flag), flag)
        if flag in GLOBAL_OPTIONS or flag in flags:
            continue
        negated = flag.removeprefix("no-")
        assert negated in flags and flags[negated].type_name == "boolean", (
            f"{service} {operation_kebab} has no parameter --{flag}"
        )


SNIPPETS = [
    pytest.param(rule.id, kind, text, id=f"{rule.id}-{kind}")
    for rule in all_rules()
    for kind, text in (("audit", rule.audit), ("fix", rule.remediation.cli))
]


@pytest.mark.parametrize(("rule_id", "kind", "text"), SNIPPETS)
def test_cli_snippet_matches_botocore_model(rule_id: str, kind: str, text: str) -> None:
    commands = _commands(text)
    assert commands, f"{rule_id} {kind} has no aws command"
    for words in commands:
        _check_command(words)


def test_checker_rejects_invented_parameter() -> None:
    with pytest.raises(AssertionError, match="no parameter --cache-subnet-group-name"):
        _check_command(
            shlex.split(
                "aws elasticache modify-replication-group --replication-group-id x "
                "--cache-subnet-group-name private"
            )
        )


def test_checker_rejects_invented_operation() -> None:
    with pytest.raises(AssertionError, match="no operation"):
        _check_command(["aws", "elasticache", "enable-encryption", "--replication-group-id", "x"])


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
