"""What a person prepares before a rebuild runbook's snapshot: the AUTH token in the shell
(read from Secrets Manager, never pasted), the customer-managed key, the private subnets or
subnet group, the new VPC's security groups, the new port. Pure."""

from __future__ import annotations

from posture.base import ResourceKind
from posture.remediation.model import RunbookStep
from posture.remediation.rebuild_settings import AUTH_TOKEN, Options, auth_secret_id, q
from posture.remediation.target import Target
from posture.rules.facts import DEFAULT_PORTS


def prepare_steps(target: Target, options: Options) -> list[RunbookStep]:
    steps = _rule_steps(target)
    if options.get("--auth-token") == (AUTH_TOKEN,):
        steps.append(
            RunbookStep(
                title="Read the AUTH token from Secrets Manager into your shell (never paste it)",
                commands=(
                    f'export AUTH_TOKEN="$(aws secretsmanager get-secret-value --secret-id {q(auth_secret_id(target))} '
                    f'--query SecretString --output text --region {q(target.region)})"',
                ),
                note="Use the secret your clients read the token from; the copy must accept the same token.",
            )
        )
    return steps


def _rule_steps(target: Target) -> list[RunbookStep]:
    region = q(target.region)
    if target.rule_id == "CW-104":
        return [
            RunbookStep(
                title="Choose the customer-managed KMS key (or create one) and export its ARN",
                commands=(
                    f'aws kms create-key --description "ElastiCache {target.resource_id}" --region {region}',
                    f"aws kms enable-key-rotation --key-id <key-id> --region {region}",
                    "export CMK_ARN=<the key's ARN>",
                ),
            )
        ]
    if target.rule_id in ("CW-303", "CW-307") and target.kind is ResourceKind.SERVERLESS_CACHE:
        return [_serverless_network_step(target.rule_id)]
    if target.rule_id in ("CW-301", "CW-302", "CW-303", "CW-307"):
        return [
            RunbookStep(
                title="Create a subnet group of private subnets (no route to an internet gateway)",
                commands=(
                    f"aws elasticache create-cache-subnet-group --cache-subnet-group-name {q(target.resource_id + '-private')} "
                    f'--cache-subnet-group-description "Private subnets for {target.resource_id}" '
                    f"--subnet-ids <private-subnet-1> <private-subnet-2> --region {region}",
                    f"export NEW_SUBNET_GROUP={q(target.resource_id + '-private')}",
                ),
                note="Pick subnets in the VPC your clients use; the security groups must belong to that VPC too.",
            ),
            *_security_group_steps(target.rule_id),
        ]
    if target.rule_id == "CW-306":
        port = DEFAULT_PORTS.get(target.engine, 6379) + 11
        return [
            RunbookStep(
                title="Choose the new port and allow it from your clients' security groups",
                commands=(f"export NEW_PORT={port}",),
                note="Add an ingress rule for the new port to the cache's security group before switching clients.",
            )
        ]
    return []


def _security_group_steps(rule_id: str) -> list[RunbookStep]:
    if rule_id != "CW-307":
        return []
    return [
        RunbookStep(
            title="Create the cache's security groups in the new VPC and export their ids",
            commands=("export NEW_SECURITY_GROUPS='<sg-in-new-vpc-1> <sg-in-new-vpc-2>'",),
            note="A security group belongs to one VPC: give the new ones the same narrow ingress "
            "rules as the source's (from the clients' security groups, on the cache port).",
        )
    ]


def _serverless_network_step(rule_id: str) -> RunbookStep:
    where = (
        "the cache's VPC" if rule_id == "CW-303" else "your application VPC (not the default VPC)"
    )
    commands = ["export NEW_SUBNET_IDS='<private-subnet-1> <private-subnet-2>'"]
    if rule_id == "CW-307":
        commands.append("export NEW_SECURITY_GROUPS='<sg-in-new-vpc-1>'")
    return RunbookStep(
        title=f"Choose private subnets (no route to an internet gateway) in {where}",
        commands=tuple(commands),
        note="A serverless cache cannot change subnets in place; its copy is created on them.",
    )
