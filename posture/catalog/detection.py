"""Rules of the detection family: logs, tags, audit trail, events, IAM scope (CW-501..CW-505)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _detection_snippets as iac
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

_FAMILY = "detection"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_ALL_ENGINES = (Engine.REDIS, Engine.VALKEY, Engine.MEMCACHED)

CW_501 = Rule(
    id="CW-501",
    title="Slow log and engine log are delivered to a log destination",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Slow log or engine log is not delivered",
    family=_FAMILY,
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/Log_Delivery.html",
        f"{_DOCS}/APIReference/API_LogDeliveryConfigurationRequest.html",
    ),
)

CW_502 = Rule(
    id="CW-502",
    title="Caches carry every tag the policy requires",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Required tags are missing or hold values the policy does not allow",
    family=_FAMILY,
    resource_kinds=(
        ResourceKind.REPLICATION_GROUP,
        ResourceKind.CACHE_CLUSTER,
        ResourceKind.SERVERLESS_CACHE,
    ),
    engines=_ALL_ENGINES,
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
        f"{_DOCS}/dg/Tagging-Resources.html",
        "https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html",
    ),
    aliases={Framework.CLOUDSPLOIT: ("elasticCacheClusterHasTags",)},
)

CW_503 = Rule(
    id="CW-503",
    title="A CloudTrail trail records management events in the region",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="No logging trail records management events in the region",
    family=_FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT_REGION,),
    engines=_ALL_ENGINES,
    rationale=(
        "Every change to a cache is an ElastiCache API call: turning off encryption, attaching "
        "an open security group, replacing the AUTH token, deleting a cluster without a final "
        "snapshot. Without a logging trail that records management events in the region, those "
        "calls survive only 90 days in the event history, so a responder cannot say later who "
        "changed what and when. CloudTrail does not see the commands clients send to the cache; "
        "the slow and engine logs (CW-501) cover part of that."
    ),
    audit="""\
aws cloudtrail describe-trails --include-shadow-trails \\
  --query "trailList[].[Name,TrailARN,HomeRegion,IsMultiRegionTrail]"
aws cloudtrail get-trail-status --name <trail-arn> --query "IsLogging"
aws cloudtrail get-event-selectors --trail-name <trail-arn>
""",
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.TRAIL_CLI,
        cloudformation=iac.TRAIL_CFN,
        terraform=iac.TRAIL_TERRAFORM,
        console=(
            "Check with the security team first: an organisation trail may already cover the "
            "account and only needs this region or management events added.",
            "Open the CloudTrail console and choose Trails, then Create trail.",
            "Pick or create an S3 bucket whose policy lets CloudTrail write, turn on log file "
            "validation, and keep the trail applied to all Regions.",
            "Under events select Management events with Read and Write, then create the trail "
            "and confirm its status shows Logging.",
        ),
        permissions=(
            "cloudtrail:CreateTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StartLogging",
            "s3:CreateBucket",
            "s3:PutBucketPolicy",
        ),
    ),
    backout=(
        "Stop or delete the trail (aws cloudtrail stop-logging --name <trail-name>, then "
        "delete-trail) only once another trail covers the region, since every later change "
        "would go unrecorded. Log files already delivered stay in the bucket."
    ),
    compliance=(
        "CIS AWS Foundations 3.1",
        "PCI DSS v4.0 10.2.1",
        "NIST SP 800-53 AU-2",
        "NIST SP 800-53 AU-12",
        "HIPAA 164.312(b)",
        "SOC 2 CC7.2",
    ),
    permissions=(
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ),
    references=(
        f"{_DOCS}/dg/logging-using-cloudtrail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
    ),
)

CW_504 = Rule(
    id="CW-504",
    title="Caches publish their events to an active SNS topic",
    severity=Severity.LOW,
    category=RuleCategory.SECURITY,
    failure="Cache events reach no active SNS topic",
    family=_FAMILY,
    # A replication group is judged by the topics of its member clusters.
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER),
    engines=_ALL_ENGINES,
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
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/ElastiCacheSNS.html",
        f"{_DOCS}/APIReference/API_ModifyCacheCluster.html",
    ),
)

CW_505 = Rule(
    id="CW-505",
    title="No customer-managed IAM policy grants broad ElastiCache rights on every resource",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="A customer-managed IAM policy grants broad ElastiCache rights on every resource",
    family=_FAMILY,
    resource_kinds=(ResourceKind.ACCOUNT,),
    engines=_ALL_ENGINES,
    rationale=(
        "A principal allowed elasticache:* or elasticache:Modify* on every resource can turn off "
        "encryption in transit, reset AUTH tokens, swap user groups, attach an open security "
        "group or delete any cluster without a final snapshot. Leaked credentials for such a role "
        "undo every other control in this catalog at once, across all caches of the account. "
        "Apart from the admin principals named in the policy file, grant only the actions a team "
        "needs, on the ARNs of its own caches."
    ),
    audit="""\
aws iam list-policies --scope Local --only-attached --query "Policies[].[Arn,DefaultVersionId]"
aws iam get-policy-version --policy-arn <policy-arn> --version-id <default-version-id> \\
  --query "PolicyVersion.Document"
aws iam list-entities-for-policy --policy-arn <policy-arn>
""",
    remediation=Remediation(
        fix_kind=FixKind.MANUAL,
        cli=iac.SCOPED_IAM_CLI,
        cloudformation=iac.SCOPED_IAM_CFN,
        terraform=iac.SCOPED_IAM_TERRAFORM,
        console=(
            "List what the attached principals actually call (IAM Access Advisor, or CloudTrail) "
            "and agree the needed actions with the owning team.",
            "In the IAM console open the policy and choose Edit.",
            "Replace elasticache:* and elasticache:Modify* on Resource * with the needed actions "
            "on the team's own cache ARNs; keep Describe and List on * if they need the console.",
            "Save as the default version, and keep the previous version until the team confirms "
            "nothing broke.",
        ),
        permissions=(
            "iam:ListPolicyVersions",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
        ),
    ),
    backout=(
        "The old document stays stored as a non-default version: restore it at once with aws "
        "iam set-default-policy-version --policy-arn <policy-arn> --version-id "
        "<previous-version-id>. Delete it only after the scoped version has run for a while "
        "without access-denied errors."
    ),
    compliance=(
        "NIST SP 800-53 AC-6",
        "PCI DSS v4.0 7.2.2",
        "SOC 2 CC6.3",
        "HIPAA 164.308(a)(4)(ii)(B)",
        "ISO/IEC 27001:2022 A.5.15",
    ),
    permissions=(
        "iam:ListPolicies",
        "iam:GetPolicyVersion",
        "iam:ListEntitiesForPolicy",
    ),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticache.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html",
    ),
)
