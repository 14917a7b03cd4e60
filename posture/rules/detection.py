"""Logs, tags and events: CW-501, CW-502 and CW-504, each catalog entry with its check."""

from __future__ import annotations

from packaging.version import Version

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _detection_snippets as iac
from posture.catalog.detection import ALL_ENGINES, DOCS, FAMILY
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import CacheCluster, ReplicationGroup
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    CacheResource,
    describe,
    engine_name,
    engine_version,
    missing_members_reason,
    node_clusters,
    parse_version,
)

REQUIRED_LOG_TYPES = ("slow-log", "engine-log")
# Redis OSS gained slow-log delivery in 6.0 and engine-log delivery in 6.2; Valkey has both.
LOG_MINIMUM_REDIS = {"slow-log": Version("6.0"), "engine-log": Version("6.2")}


def _deliverable_logs(
    resource: ReplicationGroup | CacheCluster, ctx: RuleContext
) -> tuple[tuple[str, ...], Verdict | None]:
    """The log types this engine version can deliver, or the verdict when none or unknown."""
    subject = describe(resource, ctx)
    engine = engine_name(resource)
    if engine == "memcached":
        return (), not_applicable(f"{subject}: Memcached has no slow-log or engine-log delivery")
    if engine != "redis":
        return REQUIRED_LOG_TYPES, None
    version = parse_version(engine_version(resource, ctx))
    if version is None:
        reason = (
            missing_members_reason(resource, ctx)
            if isinstance(resource, ReplicationGroup)
            else None
        )
        return (), errored(reason or f"{subject} reports no engine version")
    possible = tuple(t for t in REQUIRED_LOG_TYPES if version >= LOG_MINIMUM_REDIS[t])
    if not possible:
        return (), not_applicable(
            f"{subject}: log delivery needs Redis OSS 6.0 (slow log) or 6.2 (engine log)"
        )
    return possible, None


CW_501 = Rule(
    id="CW-501",
    title="Slow log and engine log are delivered to a log destination",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Slow log or engine log is not delivered",
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER),
    engines=(Engine.REDIS, Engine.VALKEY),
    rationale=(
        "The engine log records restarts, failovers, replication breaks and configuration "
        "changes; the slow log records long-running commands (arguments redacted), such as a "
        "KEYS sweep from a misbehaving or hostile client. Undelivered, these records stay on "
        "nodes nobody can log in to and are gone when a node is replaced, so an investigation "
        "has nothing to read. Delivery streams them to CloudWatch Logs or Amazon Data Firehose "
        "for retention and alarms. The slow log needs Redis OSS 6.0+ and the engine log 6.2+ "
        "(any Valkey); Memcached and serverless caches offer no log delivery."
    ),
    audit="""\
aws elasticache describe-replication-groups --replication-group-id <replication-group-id> \\
  --query "ReplicationGroups[0].LogDeliveryConfigurations[].[LogType,DestinationType,Status]"
aws elasticache describe-cache-clusters --cache-cluster-id <cache-cluster-id> \\
  --query "CacheClusters[0].LogDeliveryConfigurations[].[LogType,DestinationType,Status]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.LOG_DELIVERY_CLI,
        cloudformation=iac.LOG_DELIVERY_CFN,
        terraform=iac.LOG_DELIVERY_TERRAFORM,
        console=(
            "Create a CloudWatch Logs log group (or a Firehose stream) for the cache and set its "
            "retention.",
            "Open the ElastiCache console, select the cache and choose Actions, then Modify.",
            "Under log delivery, turn on the slow log and the engine log, choose JSON and the "
            "destination created above.",
            "Save; log delivery changes always apply immediately.",
        ),
        permissions=(
            "elasticache:ModifyReplicationGroup",
            "elasticache:ModifyCacheCluster",
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ),
    ),
    backout=(
        "Run the same modify command with Enabled=false for each log type; the cache itself is "
        "unaffected. Delete the log group afterwards only if its records are no longer needed "
        "for an investigation or retention rule."
    ),
    compliance=("NIST SP 800-53 AU-12", "NIST SP 800-53 SI-4", "SOC 2 CC7.2"),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/Log_Delivery.html",
        f"{DOCS}/APIReference/API_LogDeliveryConfigurationRequest.html",
    ),
)


@check(CW_501)
def check_logs_delivered(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-501: slow and engine logs are the trail an incident responder follows."""
    subject = describe(resource, ctx)
    wanted, verdict = _deliverable_logs(resource, ctx)
    if verdict:
        return verdict
    active = {c.log_type for c in resource.log_delivery_configurations if c.status == "active"}
    missing = [log_type for log_type in wanted if log_type not in active]
    skipped = [t for t in REQUIRED_LOG_TYPES if t not in wanted]
    note = f" ({' and '.join(skipped)} needs Redis OSS 6.2)" if skipped else ""
    if missing:
        return failed(
            f"{subject} does not deliver {' and '.join(missing)} (no active configuration){note}"
        )
    return passed(f"{subject} delivers {' and '.join(wanted)}{note}")


def _tag_problems(tags: dict[str, str], ctx: RuleContext) -> list[str]:
    problems: list[str] = []
    for key in ctx.policy.tags.required:
        allowed = ctx.policy.tags.allowed_values.get(key, ())
        if key not in tags:
            problems.append(f"tag {key} is missing")
        elif allowed and tags[key] not in allowed:
            problems.append(f"tag {key}={tags[key]!r} is not one of {', '.join(allowed)}")
    return problems


CW_502 = Rule(
    id="CW-502",
    title="Caches carry every tag the policy requires",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Required tags are missing or hold values the policy does not allow",
    family=FAMILY,
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=ALL_ENGINES,
    rationale=(
        "Tags answer who owns a cache, what data it holds and who pays for it. Without them a "
        "finding cannot be routed to an owner, the cache cannot be matched to the data "
        "classification that decides which controls apply, and its cost lands in an unallocated "
        "bucket. The required keys, and optionally their allowed values, come from the policy "
        "file; the scan reads all ElastiCache tags of a region in bulk through the Resource "
        "Groups Tagging API."
    ),
    audit="""\
aws resourcegroupstaggingapi get-resources --resource-type-filters elasticache \\
  --query "ResourceTagMappingList[].[ResourceARN,Tags]"
aws elasticache list-tags-for-resource --resource-name <resource-arn>
""",
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.TAGS_CLI,
        cloudformation=iac.TAGS_CFN,
        terraform=iac.TAGS_TERRAFORM,
        console=(
            "Ask the owning team for the values (owner, data classification and any other "
            "required keys); the scanner cannot guess them.",
            "Open the ElastiCache console and select the cache.",
            "Open the Tags tab, choose Manage tags and add each missing key with its value.",
            "Save; tags apply at once and do not touch the running cache.",
        ),
        permissions=("elasticache:AddTagsToResource",),
    ),
    backout=(
        "Remove a tag with aws elasticache remove-tags-from-resource --resource-name <arn> "
        "--tag-keys <key>. Tags do not change the cache, but check first that no IAM condition "
        "on aws:ResourceTag or cost report depends on the tag."
    ),
    compliance=("NIST SP 800-53 CM-8", "PCI DSS v4.0 12.5.1"),
    permissions=(
        "tag:GetResources",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{DOCS}/dg/Tagging-Resources.html",
        "https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("elasticCacheClusterHasTags",)},
)


@check(CW_502)
def check_required_tags(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-502: ownership and data-class tags route findings to the right people."""
    subject = describe(resource, ctx)
    if not ctx.policy.tags.required:
        return not_applicable(f"{subject}: the policy requires no tags")
    if not resource.arn:
        return errored(f"{subject} has no ARN to look its tags up by")
    problems = _tag_problems(dict(ctx.tags_of(resource.arn)), ctx)
    if problems:
        return failed(f"{subject}: {'; '.join(problems)}")
    return passed(f"{subject} carries every required tag ({', '.join(ctx.policy.tags.required)})")


CW_504 = Rule(
    id="CW-504",
    title="Caches publish their events to an active SNS topic",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Cache events reach no active SNS topic",
    family=FAMILY,
    # A replication group is judged by the topics of its member clusters.
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER),
    engines=ALL_ENGINES,
    rationale=(
        "ElastiCache announces failovers, node replacements, failed node additions, snapshot "
        "failures and security group changes through SNS. With no topic, or one ElastiCache has "
        "marked inactive, these events reach nobody and an outage or unexpected change is "
        "noticed only by its side effects. A topic goes inactive when it is encrypted, sits in "
        "another account or Region, or its policy does not let ElastiCache publish (it must use "
        "AWS:SourceOwner, not AWS:SourceAccount). Serverless caches report through EventBridge."
    ),
    audit="""\
aws elasticache describe-cache-clusters \\
  --query "CacheClusters[].[CacheClusterId,NotificationConfiguration.TopicArn,NotificationConfiguration.TopicStatus]"
""",
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=iac.NOTIFICATIONS_CLI,
        cloudformation=iac.NOTIFICATIONS_CFN,
        terraform=iac.NOTIFICATIONS_TERRAFORM,
        console=(
            "In the SNS console create an unencrypted standard topic in the cache's Region and "
            "subscribe the on-call address or chat integration.",
            "Edit the topic's access policy so ElastiCache may publish, with an AWS:SourceOwner "
            "condition on this account.",
            "In the ElastiCache console select the cache, choose Actions, then Modify, and pick "
            "the topic under notifications.",
            "Save, then check that the topic status reads active.",
        ),
        permissions=(
            "sns:CreateTopic",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
            "elasticache:ModifyReplicationGroup",
            "elasticache:ModifyCacheCluster",
        ),
    ),
    backout=(
        "Run the same modify command with --notification-topic-status inactive to stop "
        "publishing; the cache is unaffected. Delete the topic only when no other cluster uses it."
    ),
    compliance=("NIST SP 800-53 SI-4(5)", "SOC 2 CC7.2"),
    permissions=("elasticache:DescribeCacheClusters",),
    references=(
        f"{DOCS}/dg/ElastiCacheSNS.html",
        f"{DOCS}/APIReference/API_ModifyCacheCluster.html",
    ),
)


@check(CW_504)
def check_event_notifications(
    resource: ReplicationGroup | CacheCluster, ctx: RuleContext
) -> Verdict:
    """CW-504: SNS events tell the team about failovers, node replacements and errors."""
    subject = describe(resource, ctx)
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
        if reason:
            return errored(reason)
    silent = [
        c.cache_cluster_id
        for c in node_clusters(resource, ctx)
        if not (
            c.notification_configuration and c.notification_configuration.topic_status == "active"
        )
    ]
    if silent:
        return failed(f"{subject} has no active SNS notification topic on {', '.join(silent)}")
    topics = {
        c.notification_configuration.topic_arn
        for c in node_clusters(resource, ctx)
        if c.notification_configuration and c.notification_configuration.topic_arn
    }
    return passed(f"{subject} sends events to {', '.join(sorted(topics)) or 'an active topic'}")
