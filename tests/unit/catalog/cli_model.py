"""Check AWS CLI commands against botocore's service model: real operations, real parameters."""

from __future__ import annotations

import re
import shlex
from functools import cache

import botocore.session
from botocore import xform_name
from botocore.model import ServiceModel

# The AWS CLI renames a few parameters (awscli/customizations/argrename.py).
CLI_RENAMES = {("sns", "subscribe", "notification-endpoint"): "endpoint"}
GLOBAL_OPTIONS = {"query", "output", "region", "profile", "no-cli-pager", "endpoint-url"}
# The CLI names some services differently from botocore.
SERVICE_NAMES = {"resourcegroupstaggingapi": "resourcegroupstaggingapi", "s3api": "s3"}


_SUBSTITUTION = re.compile(r"\$\((aws [^)]*)\)")


@cache
def service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE_NAMES.get(service, service))


def aws_commands(text: str) -> list[list[str]]:
    """Split a snippet into `aws ...` commands, joining backslash continuations."""
    joined = text.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped.startswith("aws "):
            commands.append(shlex.split(stripped, comments=True))
        # A command substitution such as `export X="$(aws secretsmanager ...)"` is checked too.
        commands += [shlex.split(inner) for inner in _SUBSTITUTION.findall(stripped)]
    return commands


def _waiter_operation(service: str, waiter_kebab: str) -> str:
    """`aws <service> wait <waiter>` polls one operation: its kebab name, for the parameter check."""
    waiters = botocore.session.get_session().get_waiter_model(SERVICE_NAMES.get(service, service))
    by_kebab = {xform_name(name, "-"): name for name in waiters.waiter_names}
    assert waiter_kebab in by_kebab, f"{service} has no waiter {waiter_kebab}"
    return xform_name(waiters.get_waiter(by_kebab[waiter_kebab]).operation, "-")


def check_command(words: list[str]) -> None:
    service, operation_kebab = words[1], words[2]
    if operation_kebab == "wait":
        operation_kebab, words = _waiter_operation(service, words[3]), words[:3] + words[4:]
    model = service_model(service)
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
