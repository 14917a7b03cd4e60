"""Fixes that respect infrastructure as code.

A cache that a CloudFormation stack (its `aws:cloudformation:*` tags) or Terraform (tags
named in `[iac] terraform_tags`) manages gets its fix as a template change by default:
a live change would be undone by the next deploy, or reported as drift. The change is
the in-place plan's own parameters, written as the template's properties, filled with
this resource's id and the stack's name. A live fix stays possible when the requester
explicitly accepts that the stack will drift.

CloudFormation property names: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticache-replicationgroup.html
Terraform arguments: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/elasticache_replication_group
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from posture.base import ResourceKind
from posture.policy import IacPolicy
from posture.remediation.model import FixPlan, PlanKind, Runbook, RunbookStep

CFN_STACK_TAG = "aws:cloudformation:stack-name"
CFN_LOGICAL_TAG = "aws:cloudformation:logical-id"
CFN_TYPES = {
    ResourceKind.REPLICATION_GROUP: "AWS::ElastiCache::ReplicationGroup",
    ResourceKind.CACHE_CLUSTER: "AWS::ElastiCache::CacheCluster",
    ResourceKind.SERVERLESS_CACHE: "AWS::ElastiCache::ServerlessCache",
}
TF_TYPES = {
    ResourceKind.REPLICATION_GROUP: "aws_elasticache_replication_group",
    ResourceKind.CACHE_CLUSTER: "aws_elasticache_cluster",
    ResourceKind.SERVERLESS_CACHE: "aws_elasticache_serverless_cache",
}
# Modify-call parameters that only steer the call, not the resource's configuration.
_CALL_ONLY = frozenset(
    {"ReplicationGroupId", "CacheClusterId", "ServerlessCacheName", "ApplyImmediately"}
)
# Where the template names a parameter differently from the modify call.
_CFN_NAMES = {"UserGroupIdsToAdd": "UserGroupIds"}
_TF_NAMES = {
    "SnapshotRetentionLimit": "snapshot_retention_limit",
    "AutomaticFailoverEnabled": "automatic_failover_enabled",
    "MultiAZEnabled": "multi_az_enabled",
    "TransitEncryptionEnabled": "transit_encryption_enabled",
    "TransitEncryptionMode": "transit_encryption_mode",
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "SecurityGroupIds": "security_group_ids",
    "NotificationTopicArn": "notification_topic_arn",
    "PreferredMaintenanceWindow": "maintenance_window",
    "SnapshotWindow": "snapshot_window",
    "UserGroupIdsToAdd": "user_group_ids",
    "CacheParameterGroupName": "parameter_group_name",
    "EngineVersion": "engine_version",
}


@dataclass(frozen=True)
class IacOwner:
    tool: str  # "CloudFormation" or "Terraform"
    stack: str  # the stack name, or the Terraform tag that marks the resource
    logical_id: str = ""


def iac_owner(tags: Mapping[str, str], policy: IacPolicy) -> IacOwner | None:
    """Who owns the resource's configuration, from its tags; None: nobody we know of."""
    if CFN_STACK_TAG in tags:
        return IacOwner("CloudFormation", tags[CFN_STACK_TAG], tags.get(CFN_LOGICAL_TAG, ""))
    for wanted in policy.terraform_tags:
        key, _, value = wanted.partition("=")
        if key in tags and (not value or tags[key] == value):
            return IacOwner("Terraform", f"{key}={tags[key]}")
    return None


def _changes(plan: FixPlan) -> dict[str, object]:
    changes: dict[str, object] = {}
    for call in plan.calls:
        if call.service == "elasticache":
            changes.update({k: v for k, v in call.params.items() if k not in _CALL_ONLY})
    return changes


def _cfn_text(plan: FixPlan, owner: IacOwner, changes: Mapping[str, object]) -> str:
    logical = owner.logical_id or "<LogicalId of the resource in the template>"
    lines = [
        f"# Stack {owner.stack}: resource {logical} ({plan.resource_id})",
        "Resources:",
        f"  {logical}:",
        f"    Type: {CFN_TYPES[plan.resource_kind]}",
        "    Properties:",
    ]
    for name, value in changes.items():
        lines.append(f"      {_CFN_NAMES.get(name, name)}: {json.dumps(value)}")
    return "\n".join(lines)


def _tf_value(value: object) -> str:
    return json.dumps(value)  # booleans, numbers, strings and lists read the same in HCL


def _tf_text(plan: FixPlan, owner: IacOwner, changes: Mapping[str, object]) -> str:
    lines = [f'resource "{TF_TYPES[plan.resource_kind]}" "<name in your configuration>" {{']
    lines.append(f"  # {plan.resource_id}, marked by the tag {owner.stack}")
    for name, value in changes.items():
        attribute = _TF_NAMES.get(name)
        if attribute is None:
            lines.append(f"  # {name} = {_tf_value(value)}  (find the matching argument)")
        else:
            lines.append(f"  {attribute} = {_tf_value(value)}")
    lines.append("}")
    return "\n".join(lines)


def _cfn_steps(plan: FixPlan, owner: IacOwner, text: str) -> tuple[RunbookStep, ...]:
    stack, region = shlex.quote(owner.stack), shlex.quote(plan.region)
    name = f"cachewarden-{plan.rule_id.lower()}"
    return (
        RunbookStep(title="Change the template", commands=(text,)),
        RunbookStep(
            title="Review the change set before running it",
            commands=(
                f"aws cloudformation create-change-set --stack-name {stack} --change-set-name {name} "
                f"--template-body file://template.yaml --region {region}",
                f"aws cloudformation describe-change-set --stack-name {stack} --change-set-name {name} "
                f"--region {region} --query 'Changes[].ResourceChange.[LogicalResourceId,Action,Replacement]'",
                f"aws cloudformation execute-change-set --stack-name {stack} --change-set-name {name} --region {region}",
            ),
            note="Pass --parameters ParameterKey=<key>,UsePreviousValue=true for each stack parameter. "
            "Stop if the change set says Replacement: True.",
        ),
    )


def _tf_steps(text: str) -> tuple[RunbookStep, ...]:
    return (
        RunbookStep(title="Change the configuration", commands=(text,)),
        RunbookStep(
            title="Plan, read, apply",
            commands=("terraform plan -out fix.tfplan", "terraform apply fix.tfplan"),
            note="The plan must show an in-place update (~), not a replacement (-/+).",
        ),
    )


def template_plan(plan: FixPlan, owner: IacOwner) -> FixPlan:
    """The in-place plan as a template change: no live call; the runbook says what to edit."""
    changes = _changes(plan)
    if owner.tool == "CloudFormation":
        steps = _cfn_steps(plan, owner, _cfn_text(plan, owner, changes))
    else:
        steps = _tf_steps(_tf_text(plan, owner, changes))
    where = f"{owner.tool} ({owner.stack})"
    reason = (
        f"{plan.resource_id} is managed by {where}: a live change would be undone by the next "
        "deploy, so the fix is a template change."
    )
    anyway = (
        "To change the live resource anyway, choose Apply anyway: the stack will drift and "
        "its next update may undo the fix."
    )
    return plan.model_copy(
        update={
            "kind": PlanKind.MANUAL,
            "calls": (),
            "reason": reason,
            "next_step": anyway,
            "iac_owner": where,
            "runbook": Runbook(
                title=f"Template change for {plan.rule_id} on {plan.resource_id}",
                summary=f"{reason} {plan.change} {anyway}",
                steps=steps,
                backout="Revert the template change and deploy again.",
            ),
        }
    )


def drift_plan(plan: FixPlan, owner: IacOwner) -> FixPlan:
    """The live plan, with the approver told that the stack will drift."""
    warning = (
        f"{plan.resource_id} is managed by {owner.tool} ({owner.stack}). This live change makes "
        "the stack drift; its next deploy may undo the fix unless the template changes too."
    )
    both = " ".join(w for w in (plan.warning, warning) if w)
    return plan.model_copy(update={"warning": both, "drift_accepted": True})
